package dev.parley.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The start-up refuses a mistaken MCP configuration in one line that names the key. */
class McpServersConfigTest {

    @Test
    void aServerNameThatCannotPrefixToolNamesIsRefused() {
        assertThatThrownBy(() -> servers(Map.of("my_crm", server("http://localhost:1/mcp", Optional.empty()))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("parley.mcp.servers.my_crm: 'my_crm' is not a server name: it must match "
                        + "[a-z][a-z0-9-]{0,30} (it prefixes the names of the server's tools)");
    }

    @Test
    void aUrlThatIsNotHttpIsRefused() {
        assertThatThrownBy(() -> servers(Map.of("crm", server("ftp://example.com/mcp", Optional.empty()))))
                .hasMessage("parley.mcp.servers.crm.url must be an http or https URL, was 'ftp://example.com/mcp'");
        assertThatThrownBy(() -> servers(Map.of("crm", server("http://exa mple.com", Optional.empty()))))
                .hasMessageStartingWith("parley.mcp.servers.crm.url is not a URL: 'http://exa mple.com'");
    }

    @Test
    void aBearerTokenVariableThatIsNotSetIsRefused() {
        assertThatThrownBy(() -> servers(Map.of("crm", server("https://example.com/mcp", Optional.of("CRM_TOKEN")))))
                .hasMessage("parley.mcp.servers.crm.bearer-token-env names CRM_TOKEN, which is not set: set it to the "
                        + "server's token, or remove the key");
    }

    @Test
    void beforeItsFirstAnswerAServerIsConnectingAndOffersNothing() {
        McpServers servers = servers(Map.of("crm", server("http://127.0.0.1:9/mcp", Optional.empty())));
        try {
            assertThat(servers.names()).containsExactly("crm");
            assertThat(servers.tools("crm")).isEmpty();
            assertThat(servers.statuses().get("crm").state()).isEqualTo(McpServerStatus.State.CONNECTING);
            assertThat(servers.tool("crm__anything")).isEmpty();
        } finally {
            servers.close();
        }
    }

    private static McpServers servers(Map<String, McpConfig.Server> servers) {
        return new McpServers(McpTestConfig.config(servers), name -> Optional.empty());
    }

    private static McpConfig.Server server(String url, Optional<String> tokenVariable) {
        return McpTestConfig.server(url, Map.of(), tokenVariable, false);
    }
}
