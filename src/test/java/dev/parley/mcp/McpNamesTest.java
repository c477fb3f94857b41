package dev.parley.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class McpNamesTest {

    private static final String API_NAME = "[a-zA-Z0-9_-]{1,64}";

    @Test
    void aToolIsOfferedUnderItsServersNameAndItsOwn() {
        assertThat(McpNames.offered("crm", "find_customer")).isEqualTo("crm__find_customer");
        assertThat(McpNames.offered("test-2", "Get-Thing")).isEqualTo("test-2__Get-Thing");
    }

    @Test
    void aNameTheApiWouldRefuseIsCleanedAndKeptApartByItsHash() {
        String dotted = McpNames.offered("crm", "orders.list");
        String underscored = McpNames.offered("crm", "orders_list");

        assertThat(dotted).matches(API_NAME).startsWith("crm__orders_list_").hasSize("crm__orders_list_".length() + 8);
        assertThat(underscored).isEqualTo("crm__orders_list");
        assertThat(dotted).isNotEqualTo(underscored);
    }

    @Test
    void aLongNameIsCutToSixtyFourCharactersAndStaysUnique() {
        String server = "a".repeat(31);
        String first = McpNames.offered(server, "t".repeat(128));
        String second = McpNames.offered(server, "t".repeat(127) + "u");

        assertThat(first).matches(API_NAME).hasSize(64).startsWith(server + "__ttt");
        assertThat(second).matches(API_NAME).hasSize(64).isNotEqualTo(first);
    }

    @Test
    void serverNamesHoldNoUnderscoreSoThePrefixEndsAtTheFirstSeparator() {
        assertThat(McpNames.SERVER.matcher("crm").matches()).isTrue();
        assertThat(McpNames.SERVER.matcher("my-server-2").matches()).isTrue();
        assertThat(McpNames.SERVER.matcher("my_server").matches()).isFalse();
        assertThat(McpNames.SERVER.matcher("Crm").matches()).isFalse();
        assertThat(McpNames.SERVER.matcher("a".repeat(32)).matches()).isFalse();
    }
}
