package dev.parley.api;

import io.quarkus.test.junit.QuarkusTest;

/** Server-side conversations on the default store, in memory. */
@QuarkusTest
class ConversationTest extends ConversationContract {
}
