package dev.parley.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy in front of a server on this machine that a test can switch between three modes: {@link Mode#UP}
 * (forwarding), {@link Mode#DOWN} (every connection cut within ~50 ms, new ones refused: a server that is gone) and
 * {@link Mode#FROZEN} (connections accepted and held open, nothing forwarded either way: a server that hangs, as after
 * SIGSTOP). An outage without touching the shared server. Besides the mode, {@link #freezeOpenConnections()} makes the
 * connections open now hang while new ones work: a NAT or proxy that dropped them without a word. One proxy per target port and JVM; its port and mode live in
 * system properties, which the test and the application share whatever their class loaders, so a handle is only the
 * target port.
 */
public final class TcpSwitch {

    /** How a switch treats its connections. */
    public enum Mode {
        UP,
        DOWN,
        FROZEN
    }

    /** How often a held or idle pump looks at the mode again. */
    private static final Duration POLL = Duration.ofMillis(50);

    private final int targetPort;

    private TcpSwitch(int targetPort) {
        this.targetPort = targetPort;
    }

    /** The switch in front of {@code 127.0.0.1:targetPort}, started (UP) unless it runs already. */
    public static synchronized TcpSwitch to(int targetPort) {
        TcpSwitch tcpSwitch = new TcpSwitch(targetPort);
        if (System.getProperty(tcpSwitch.key("port")) == null) {
            try {
                ServerSocket server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
                tcpSwitch.set(Mode.UP);
                System.setProperty(tcpSwitch.key("port"), Integer.toString(server.getLocalPort()));
                Thread.ofVirtual().name("tcp-switch-" + targetPort).start(() -> tcpSwitch.accept(server));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return tcpSwitch;
    }

    /** The port to connect to instead of the target's. */
    public int port() {
        return Integer.parseInt(System.getProperty(key("port")));
    }

    public void set(Mode mode) {
        System.setProperty(key("mode"), mode.name());
    }

    public void up() {
        System.clearProperty(key("frozen-below"));
        set(Mode.UP);
    }

    public void down() {
        set(Mode.DOWN);
    }

    public void freeze() {
        set(Mode.FROZEN);
    }

    /** The connections open now hang (as in {@link Mode#FROZEN}) until {@link #up()}; new ones are not affected. */
    public void freezeOpenConnections() {
        System.setProperty(key("frozen-below"), System.getProperty(key("accepted"), "0"));
    }

    private Mode mode() {
        return Mode.valueOf(System.getProperty(key("mode"), Mode.UP.name()).toUpperCase(Locale.ROOT));
    }

    /** Whether connection number {@code connection} (in the order accepted) hangs now. */
    private boolean frozen(long connection) {
        return mode() == Mode.FROZEN || connection < Long.parseLong(System.getProperty(key("frozen-below"), "0"));
    }

    private String key(String name) {
        return "parley.test.tcp-switch." + targetPort + "." + name;
    }

    private void accept(ServerSocket server) {
        long accepted = 0;
        while (true) {
            try {
                Socket client = server.accept();
                if (mode() == Mode.DOWN) {
                    client.close();
                    continue;
                }
                Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                long connection = accepted++;
                System.setProperty(key("accepted"), Long.toString(accepted));
                Thread.ofVirtual().start(() -> pump(client, target, connection));
                Thread.ofVirtual().start(() -> pump(target, client, connection));
            } catch (IOException e) {
                // The target refused: the client's connection is simply lost, like in a real outage.
            }
        }
    }

    private void pump(Socket from, Socket to, long connection) {
        try (from; to) {
            from.setSoTimeout((int) POLL.toMillis());
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[16384];
            while (true) {
                Mode mode = mode();
                if (mode == Mode.DOWN) {
                    return;
                }
                if (frozen(connection)) {
                    // Hold the connection: read nothing, so the peer's writes back up as against a stopped process.
                    LockSupport.parkNanos(POLL.toNanos());
                    continue;
                }
                int read;
                try {
                    read = in.read(buffer);
                } catch (SocketTimeoutException idle) {
                    continue;
                }
                if (read < 0) {
                    return;
                }
                // Bytes read in the instant the switch froze are held too, not forwarded: a frozen server answers
                // nothing, even to a request that was on its way.
                while (frozen(connection)) {
                    LockSupport.parkNanos(POLL.toNanos());
                }
                if (mode() == Mode.DOWN) {
                    return;
                }
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            // Either side closed: both are closed by the try.
        }
    }
}
