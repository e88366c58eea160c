package dev.myelin.bench.load;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One blocking HTTP/1.1 connection kept alive across requests, for the measured request of a load scenario.
 *
 * <p>why: {@code java.net.http.HttpClient} hands every request from the caller to its executor, to its selector
 * thread and back (four thread hops per request); on the 2-core machine the load generator shares with the server,
 * that cost about a third of the server's CPU and added latency to every sequential send. A socket written and read
 * by the sending thread itself costs two system calls. Plain HTTP only (the scenarios drive a local or test server).
 */
final class KeepAliveConnection implements AutoCloseable {
    private final String host;
    private final int port;
    private final String hostHeader;
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    /** A response: status and body bytes. */
    record Response(int status, byte[] body) {}

    KeepAliveConnection(String baseUrl) {
        URI uri = URI.create(baseUrl);
        if (!"http".equals(uri.getScheme())) throw new IllegalArgumentException("only http:// URLs: " + baseUrl);
        this.host = uri.getHost();
        this.port = uri.getPort() < 0 ? 80 : uri.getPort();
        this.hostHeader = uri.getPort() < 0 ? host : host + ":" + port;
    }

    /** Sends one request and reads its response; reconnects once if the server had closed the idle connection. */
    Response exchange(String method, String path, String bearer, byte[] body) throws IOException {
        boolean fresh = socket == null;
        try {
            if (fresh) connect();
            return roundTrip(method, path, bearer, body);
        } catch (IOException e) {
            close();
            if (fresh) throw e;
            // why: a kept-alive connection may have been closed by the server's idle timeout; retry once on a new one
            connect();
            return roundTrip(method, path, bearer, body);
        }
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(host, port), 10_000);
        s.setSoTimeout(60_000);
        socket = s;
        out = s.getOutputStream();
        in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
    }

    private Response roundTrip(String method, String path, String bearer, byte[] body) throws IOException {
        var head = new StringBuilder(256).append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ")
                .append(hostHeader).append("\r\n");
        if (bearer != null) head.append("Authorization: Bearer ").append(bearer).append("\r\n");
        if (body != null) head.append("Content-Type: application/json\r\n");
        head.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] request = new byte[headBytes.length + (body == null ? 0 : body.length)];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        if (body != null) System.arraycopy(body, 0, request, headBytes.length, body.length);
        out.write(request);
        out.flush();
        return readResponse();
    }

    private Response readResponse() throws IOException {
        String statusLine = readLine();
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) throw new IOException("not an HTTP response: " + statusLine);
        int status = Integer.parseInt(parts[1]);
        long length = -1;
        boolean chunked = false;
        boolean closeAfter = parts[0].equals("HTTP/1.0");
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> closeAfter = value.equalsIgnoreCase("close");
                default -> { }
            }
        }
        byte[] body;
        if (chunked) {
            var buffer = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = readLine();
                int semicolon = sizeLine.indexOf(';');
                int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
                if (size == 0) {
                    while (!readLine().isEmpty()) { } // trailers
                    break;
                }
                buffer.write(in.readNBytes(size));
                readLine();
            }
            body = buffer.toByteArray();
        } else if (length >= 0) {
            body = in.readNBytes((int) length);
            if (body.length < length) throw new EOFException("response body cut short");
        } else {
            body = in.readAllBytes();
            closeAfter = true;
        }
        if (closeAfter) close();
        return new Response(status, body);
    }

    private String readLine() throws IOException {
        var line = new StringBuilder(64);
        while (true) {
            int b = in.read();
            if (b < 0) throw new EOFException("connection closed by the server");
            if (b == '\n') break;
            if (b != '\r') line.append((char) b);
        }
        return line.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // why: closing a broken socket has nothing left to report
            }
        }
        socket = null;
    }
}
