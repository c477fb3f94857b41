package dev.parley.frontdoor;

/** A front-door request parley does not pass on (or no longer tries to): carries what the client is answered. */
final class DoorRefusedException extends RuntimeException {

    private final transient DoorRefusal refusal;

    DoorRefusedException(DoorRefusal refusal) {
        super(refusal.errorType() + " " + refusal.status(), null, false, false);
        this.refusal = refusal;
    }

    DoorRefusal refusal() {
        return refusal;
    }
}
