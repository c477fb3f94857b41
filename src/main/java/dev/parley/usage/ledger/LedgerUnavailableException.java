package dev.parley.usage.ledger;

/** The ledger's database did not answer a request in time, failed, or has every connection waiting on it already. */
public final class LedgerUnavailableException extends RuntimeException {

    LedgerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
