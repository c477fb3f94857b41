package dev.parley.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A TCP proxy in front of a server that a test can switch off (every connection cut, new ones refused) and on again:
 * a database outage without touching the database. One per JVM; its port and its switch live in system properties,
 * which the test and the application share whatever their class loaders.
 */
public final class TcpSwitch {

    private static final String PORT = "parley.test.tcp-switch.port";
    private static final String UP = "parley.test.tcp-switch.up";

    private TcpSwitch() {
    }

    /** Starts the proxy to {@code 127.0.0.1:targetPort} unless it runs already; returns its port. */
    public static synchronized int start(int targetPort) {
        String port = System.getProperty(PORT);
        if (port != null) {
            return Integer.parseInt(port);
        }
        try {
            ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().name("tcp-switch").start(() -> accept(server, targetPort));
            System.setProperty(UP, "true");
            System.setProperty(PORT, Integer.toString(server.getLocalPort()));
            return server.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Switched off, every connection is cut within ~50 ms and new ones are refused. */
    public static void switchOn(boolean on) {
        System.setProperty(UP, Boolean.toString(on));
    }

    private static boolean isOn() {
        return Boolean.parseBoolean(System.getProperty(UP, "true"));
    }

    private static void accept(ServerSocket server, int targetPort) {
        while (true) {
            try {
                Socket client = server.accept();
                if (!isOn()) {
                    client.close();
                    continue;
                }
                Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                Thread.ofVirtual().start(() -> pump(client, target));
                Thread.ofVirtual().start(() -> pump(target, client));
            } catch (IOException e) {
                // The target refused: the client's connection is simply lost, like in a real outage.
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        try (from; to) {
            from.setSoTimeout(50);
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[16384];
            while (isOn()) {
                int read;
                try {
                    read = in.read(buffer);
                } catch (SocketTimeoutException idle) {
                    continue;
                }
                if (read < 0) {
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
