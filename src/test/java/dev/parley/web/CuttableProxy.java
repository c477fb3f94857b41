package dev.parley.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.MalformedURLException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy between the browser and the test's server, for a network that fails under a page: {@link #cut()} resets
 * every open connection at once (the browser sees its stream break mid-reply, the server sees its client go), while new
 * connections go on being forwarded; {@link #refuse()} also resets every new connection until {@link #admit()}.
 */
final class CuttableProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean refusing = new AtomicBoolean();
    private final AtomicInteger refused = new AtomicInteger();

    private CuttableProxy(ServerSocket server, int targetPort) {
        this.server = server;
        this.targetPort = targetPort;
    }

    /** A proxy on a free port of this machine to {@code 127.0.0.1:targetPort}, forwarding. */
    static CuttableProxy to(int targetPort) {
        try {
            CuttableProxy proxy = new CuttableProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()),
                    targetPort);
            Thread.ofVirtual().name("cuttable-proxy-" + targetPort).start(proxy::accept);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code url} with this proxy's host and port in place of the server's. */
    URL in(URL url) {
        try {
            return new URI(url.getProtocol(), null, server.getInetAddress().getHostAddress(), server.getLocalPort(),
                    url.getPath(), url.getQuery(), null).toURL();
        } catch (MalformedURLException | URISyntaxException e) {
            throw new IllegalArgumentException(url.toString(), e);
        }
    }

    /** Resets every connection open now, both ways; the next ones are forwarded (unless refusing). */
    void cut() {
        for (Socket socket : open) {
            reset(socket);
        }
    }

    /** Cuts every open connection and resets each new one as soon as it is accepted, until {@link #admit()}. */
    void refuse() {
        refusing.set(true);
        cut();
    }

    void admit() {
        refusing.set(false);
    }

    /** How many connections were reset on arrival since this proxy started. */
    int refused() {
        return refused.get();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // Closing is best effort: the test is over.
        }
        cut();
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (refusing.get()) {
                refused.incrementAndGet();
                reset(client);
                continue;
            }
            try {
                Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                open.add(client);
                open.add(target);
                // Each direction ends on its own (an HTTP peer may half-close); the pair is closed after both.
                AtomicInteger directions = new AtomicInteger(2);
                Thread.ofVirtual().start(() -> pump(client, target, directions));
                Thread.ofVirtual().start(() -> pump(target, client, directions));
            } catch (IOException e) {
                reset(client);
            }
        }
    }

    private void pump(Socket from, Socket to, AtomicInteger directions) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[16384];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                out.write(buffer, 0, read);
                out.flush();
            }
            to.shutdownOutput();
            if (directions.decrementAndGet() == 0) {
                close(from);
                close(to);
            }
        } catch (IOException e) {
            // A cut, or a peer that went away: the other direction fails at once too.
            reset(from);
            reset(to);
        }
    }

    private void close(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException e) {
            // Already gone.
        }
    }

    /** Closes with an RST rather than a FIN: to the browser, a network that failed, not a server that finished. */
    private void reset(Socket socket) {
        open.remove(socket);
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            // Already gone.
        }
    }
}
