package dev.parley.mcp;

/**
 * A call that got no result from its server: the server is down or unreachable, or answered with a JSON-RPC error. Its
 * message is safe to show to the model (it names the server and says what happened, never a stack trace).
 */
public class McpCallException extends RuntimeException {

    public McpCallException(String messageForTheModel) {
        super(messageForTheModel, null, false, false);
    }
}
