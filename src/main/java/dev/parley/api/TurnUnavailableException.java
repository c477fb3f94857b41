package dev.parley.api;

/** A resume or stop of a turn that cannot be served: answered with its status and problem code. */
final class TurnUnavailableException extends RuntimeException {

    /** Why; each is a stable problem code. */
    enum Reason {
        NOT_FOUND(404, "turn_not_found", "Turn not found"),
        NOT_RESUMABLE(410, "turn_not_resumable", "Turn not resumable"),
        APPROVAL_ALREADY_GIVEN(409, "approval_already_given", "Approval already given"),
        STORE_UNAVAILABLE(503, "turn_store_unavailable", "Turn store unavailable");

        final int status;
        final String code;
        final String title;

        Reason(int status, String code, String title) {
            this.status = status;
            this.code = code;
            this.title = title;
        }
    }

    private final Reason reason;

    TurnUnavailableException(Reason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    Reason reason() {
        return reason;
    }
}
