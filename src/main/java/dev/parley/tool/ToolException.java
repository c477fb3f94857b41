package dev.parley.tool;

/**
 * An expected failure of a tool (a bad argument, an unknown item): its message is sent to the model as the tool's
 * error result, so it must be safe to show and useful to act on. No stack trace is kept; none is logged.
 */
public class ToolException extends RuntimeException {

    public ToolException(String messageForTheModel) {
        super(messageForTheModel, null, false, false);
    }
}
