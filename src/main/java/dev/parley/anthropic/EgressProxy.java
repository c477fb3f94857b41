package dev.parley.anthropic;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;

/**
 * The HTTP proxy the upstream's connections go through, decided once for the one upstream host: an {@code https}
 * upstream is reached through a {@code CONNECT} tunnel, an {@code http} one by handing the proxy each request with
 * its absolute URI. Its credentials stay in here: {@link #toString()} names the proxy without them.
 *
 * @param source the key or environment variable the proxy came from, for the start-up line
 */
record EgressProxy(String host, int port, String username, String password, String source) {

    static final String URL_KEY = "parley.anthropic.proxy.url";
    static final String NO_PROXY_KEY = "parley.anthropic.proxy.no-proxy";
    /** The value of {@value #URL_KEY} that turns the environment's proxy off. */
    static final String NONE = "none";

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** A value and where it came from. */
    private record Setting(String name, String value) {
    }

    /** What the upstream's route is, in words an operator can check, credentials left out. */
    record Decision(Optional<EgressProxy> proxy, String reason) {
    }

    /**
     * The proxy for {@code upstream}: {@value #URL_KEY}, else {@code https_proxy}/{@code HTTPS_PROXY} (an
     * {@code https} upstream) or {@code http_proxy}/{@code HTTP_PROXY} (an {@code http} one); none when the no-proxy
     * list ({@value #NO_PROXY_KEY}, else {@code no_proxy}/{@code NO_PROXY}) names the upstream. {@code environment}
     * returns a variable's value, or null.
     *
     * @throws ConfigurationException a proxy URL parley cannot use, in one line that does not repeat it
     */
    static Decision resolve(URI upstream, AnthropicConfig.ProxySettings settings, UnaryOperator<String> environment) {
        boolean tls = "https".equalsIgnoreCase(upstream.getScheme());
        Optional<Setting> url = settings.url().map(value -> new Setting(URL_KEY, value))
                .or(() -> variable(environment, tls ? "https_proxy" : "http_proxy"));
        if (url.isEmpty()) {
            return new Decision(Optional.empty(), "no proxy configured");
        }
        if (url.get().value().trim().equalsIgnoreCase(NONE)) {
            return new Decision(Optional.empty(), url.get().name() + "=" + NONE);
        }
        EgressProxy proxy = parse(url.get().value(), url.get().name());
        Optional<Setting> noProxy = settings.noProxy().map(value -> new Setting(NO_PROXY_KEY, value))
                .or(() -> variable(environment, "no_proxy"));
        if (noProxy.isPresent()
                && bypasses(noProxy.get().value(), upstream.getHost(), MessagesClient.portOf(upstream))) {
            return new Decision(Optional.empty(), noProxy.get().name() + " names " + upstream.getHost());
        }
        return new Decision(Optional.of(proxy), "from " + proxy.source());
    }

    /** {@code http://[user:password@]host[:port]}, the scheme optional; {@code source} names it in errors. */
    static EgressProxy parse(String url, String source) {
        String text = url.trim();
        URI uri;
        try {
            uri = new URI(text.contains("://") ? text : "http://" + text);
        } catch (URISyntaxException e) {
            // The URL may hold a password: the message never repeats it.
            throw invalid(source, "is not a URL");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            throw invalid(source, "uses " + uri.getScheme() + "://, and parley supports only http:// proxies");
        }
        if (uri.getHost() == null) {
            throw invalid(source, "names no host (a password with '@', ':' or '/' must be percent-encoded)");
        }
        String username = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            username = decoded(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? "" : decoded(userInfo.substring(colon + 1));
        }
        return new EgressProxy(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 80, username, password, source);
    }

    /**
     * Whether the no-proxy list names {@code host} (and {@code port}), as curl reads {@code NO_PROXY}: entries apart
     * by commas or spaces, case-insensitive; {@code *} is every host; a name is that host and its subdomains, a
     * leading {@code .} or {@code *.} changing nothing; {@code :port} narrows an entry to one port; an IP address or
     * a CIDR range matches an upstream given by address. Host names are never resolved.
     */
    static boolean bypasses(String noProxy, String host, int port) {
        String target = bare(host);
        for (String raw : noProxy.split("[,\\s]+")) {
            String entry = raw.trim().toLowerCase(Locale.ROOT);
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.equals("*")) {
                return true;
            }
            int entryPort = -1;
            if (entry.startsWith("[")) {
                int close = entry.indexOf(']');
                if (close < 0) {
                    continue;
                }
                String rest = entry.substring(close + 1);
                entryPort = rest.startsWith(":") ? portOrZero(rest.substring(1)) : -1;
                entry = entry.substring(1, close);
            } else if (entry.indexOf(':') > 0 && entry.indexOf(':') == entry.lastIndexOf(':')) {
                entryPort = portOrZero(entry.substring(entry.indexOf(':') + 1));
                entry = entry.substring(0, entry.indexOf(':'));
            }
            if (entryPort >= 0 && entryPort != port) {
                continue;
            }
            if (entry.contains("/")) {
                if (inRange(target, entry)) {
                    return true;
                }
                continue;
            }
            entry = bare(entry.startsWith("*.")
                    ? entry.substring(2)
                    : entry.startsWith(".")
                            ? entry.substring(1)
                            : entry);
            if (target.equals(entry) || target.endsWith("." + entry) || sameAddress(target, entry)) {
                return true;
            }
        }
        return false;
    }

    /** Vert.x's options for this proxy: {@code CONNECT} for TLS targets, absolute URIs for plain HTTP. */
    ProxyOptions options(Duration connectTimeout) {
        ProxyOptions options = new ProxyOptions().setType(ProxyType.HTTP).setHost(host).setPort(port)
                .setConnectTimeout(connectTimeout);
        if (username != null) {
            options.setUsername(username).setPassword(password);
        }
        return options;
    }

    /** The credentials as they travel ({@code Proxy-Authorization: Basic ...}), so that logs can be kept free of them. */
    Optional<String> basicToken() {
        return username == null
                ? Optional.empty()
                : Optional.of(Base64.getEncoder()
                        .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    /** The proxy without its credentials: {@code http://host:port}. */
    @Override
    public String toString() {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static Optional<Setting> variable(UnaryOperator<String> environment, String lowerCase) {
        for (String name : new String[]{lowerCase, lowerCase.toUpperCase(Locale.ROOT)}) {
            String value = environment.apply(name);
            if (value != null && !value.isBlank()) {
                return Optional.of(new Setting(name, value));
            }
        }
        return Optional.empty();
    }

    private static String decoded(String part) {
        // Percent-decoding only: a '+' in a password is a plus.
        return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static ConfigurationException invalid(String source, String why) {
        return new ConfigurationException(source + " " + why + ": expected http://[user:password@]host[:port]");
    }

    private static String bare(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    private static int portOrZero(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return 0; // an entry with a port that is no number matches no port
        }
    }

    private static boolean isAddress(String text) {
        return IPV4.matcher(text).matches() || text.contains(":");
    }

    /** Two spellings of one IP address ({@code ::1} and {@code 0:0:0:0:0:0:0:1}); host names are not resolved. */
    private static boolean sameAddress(String target, String entry) {
        if (!isAddress(target) || !isAddress(entry)) {
            return false;
        }
        try {
            return InetAddress.getByName(target).equals(InetAddress.getByName(entry));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean inRange(String target, String cidr) {
        String[] parts = cidr.split("/", 2);
        if (!isAddress(target) || !isAddress(parts[0])) {
            return false;
        }
        try {
            byte[] address = InetAddress.getByName(target).getAddress();
            byte[] network = InetAddress.getByName(parts[0]).getAddress();
            int bits = Integer.parseInt(parts[1]);
            if (address.length != network.length || bits < 0 || bits > address.length * 8) {
                return false;
            }
            for (int bit = 0; bit < bits; bit++) {
                int mask = 0x80 >> (bit % 8);
                if ((address[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException | NumberFormatException e) {
            return false;
        }
    }
}
