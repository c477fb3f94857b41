package dev.parley.api;

import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyReader;
import jakarta.ws.rs.ext.Provider;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

/** Reads an {@link ApprovalRequest} as strictly as {@link ChatRequestReader} reads a chat request. */
@Provider
@Consumes(MediaType.APPLICATION_JSON)
public class ApprovalRequestReader implements MessageBodyReader<ApprovalRequest> {

    private final ObjectReader strict;

    ApprovalRequestReader(ObjectMapper mapper) {
        this.strict = ChatRequestReader.strictReader(mapper, ApprovalRequest.class);
    }

    @Override
    public boolean isReadable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return type == ApprovalRequest.class;
    }

    @Override
    public ApprovalRequest readFrom(Class<ApprovalRequest> type, Type genericType, Annotation[] annotations,
            MediaType mediaType, MultivaluedMap<String, String> headers, InputStream body) throws IOException {
        return ChatRequestReader.read(strict, headers, body);
    }
}
