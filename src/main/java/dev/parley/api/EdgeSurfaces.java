package dev.parley.api;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.Response;

/** The {@link EdgeSurface}s parley serves, by the path of a request. */
@Singleton
public class EdgeSurfaces {

    private final List<EdgeSurface> surfaces;

    EdgeSurfaces(Instance<EdgeSurface> surfaces) {
        this.surfaces = surfaces.stream().toList();
    }

    /** The surface a request's path belongs to, if any: then its refusals are that surface's. */
    Optional<EdgeSurface> of(String path) {
        return path == null
                ? Optional.empty()
                : surfaces.stream().filter(surface -> path.startsWith(surface.prefix())).findFirst();
    }

    /** The largest body any surface accepts (0 without any). */
    long largestBody() {
        return surfaces.stream().mapToLong(EdgeSurface::maxBodyBytes).max().orElse(0);
    }

    /** A surface's refusal as a JAX-RS response. */
    static Response response(EdgeSurface.Refusal refusal) {
        Response.ResponseBuilder response = Response.status(refusal.status()).type(refusal.contentType())
                .entity(refusal.body());
        refusal.headers().forEach(response::header);
        return response.build();
    }
}
