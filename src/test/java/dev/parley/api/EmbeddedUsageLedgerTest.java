package dev.parley.api;

import io.quarkus.test.junit.QuarkusTest;

/** The usage ledger on the embedded store (H2, in memory in tests). */
@QuarkusTest
class EmbeddedUsageLedgerTest extends UsageLedgerContract {
}
