import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * An open-loop load generator: sends GET requests at a fixed rate, whatever the server's pace, and measures each
 * request's latency from the moment it was due, not from when it could be sent, so a stalled server shows up in the
 * percentiles instead of hiding (no coordinated omission). A warm-up at the same rate comes first and is not
 * recorded. Prints one JSON line.
 *
 * <p>{@code java bench/LoadGen.java URL RATE SECONDS [TOKENS_FILE [CONNECTIONS]]}: with a tokens file, requests
 * carry {@code Authorization: Bearer <token>}, taking the file's lines in turn. {@code CONNECTIONS} (default 64)
 * bounds the connections, one request in flight on each: with few, a backlog waits here, in the generator; with
 * many, as with many independent clients, the server sees it. Latencies of the 2xx answers alone are printed too
 * ({@code okP50Ms}, {@code okP99Ms}), so that quick refusals do not flatter the percentiles.
 *
 * <p>It shares the machine with what it measures, so it is written to cost little: one thread, non-blocking sockets,
 * every request's bytes made before the run, and only the status line and the framing headers of an answer read.
 * An HTTP client library spends several times as much a request, enough to become the limit itself at 20k req/s on
 * two cores.
 */
public class LoadGen {

  private static final int DEFAULT_CONNECTIONS = 64;
  private static final int WARM_UP_SECONDS = 3;
  private static final int BUFFER_BYTES = 64 * 1024;

  private final InetSocketAddress address;
  private final byte[][] requests;
  private final int rate;
  private final int connections;
  private final Selector selector;
  private final ArrayDeque<Connection> idle = new ArrayDeque<>();
  private final List<Connection> live = new ArrayList<>();
  private int ok;
  private int non2xx;
  private int failed;

  private LoadGen(URI url, int rate, List<String> tokens, int connections) throws IOException {
    int port = url.getPort() < 0 ? 80 : url.getPort();
    this.address = new InetSocketAddress(url.getHost(), port);
    this.rate = rate;
    this.connections = connections;
    this.selector = Selector.open();
    String target = (url.getRawPath().isEmpty() ? "/" : url.getRawPath())
      + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
    String head = "GET " + target + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + port + "\r\n";
    List<String> lines = tokens.isEmpty() ? List.of("") : tokens;
    this.requests = lines.stream()
      .map(token -> (head + (token.isEmpty() ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n")
        .getBytes(StandardCharsets.US_ASCII))
      .toArray(byte[][]::new);
  }

  public static void main(String[] args) throws Exception {
    int rate = Integer.parseInt(args[1]);
    int seconds = Integer.parseInt(args[2]);
    LoadGen load = new LoadGen(URI.create(args[0]), rate,
      args.length > 3 ? Files.readAllLines(Path.of(args[3])).stream().filter(l -> !l.isBlank()).toList() : List.of(),
      args.length > 4 ? Integer.parseInt(args[4]) : DEFAULT_CONNECTIONS);
    for (int i = 0; i < load.connections; i++) {
      load.open();
    }
    load.run(WARM_UP_SECONDS, new long[rate * WARM_UP_SECONDS], new boolean[rate * WARM_UP_SECONDS]);
    load.ok = 0;
    load.non2xx = 0;
    load.failed = 0;
    long[] latencies = new long[rate * seconds];
    boolean[] served = new boolean[latencies.length];
    long began = System.nanoTime();
    load.run(seconds, latencies, served);
    double elapsed = (System.nanoTime() - began) / 1e9;
    long[] okLatencies = new long[load.ok];
    for (int i = 0, j = 0; i < latencies.length; i++) {
      if (served[i]) {
        okLatencies[j++] = latencies[i];
      }
    }
    int total = latencies.length;
    Arrays.sort(latencies);
    Arrays.sort(okLatencies);
    System.out.printf(Locale.ROOT, "{\"rate\":%d,\"seconds\":%d,\"sent\":%d,\"ok\":%d,\"non2xx\":%d,\"errors\":%d,"
        + "\"achievedRate\":%.0f,\"p50Ms\":%.2f,\"p99Ms\":%.2f,\"p999Ms\":%.2f,\"maxMs\":%.2f,"
        + "\"okP50Ms\":%.2f,\"okP99Ms\":%.2f}%n",
      rate, seconds, total, load.ok, load.non2xx, load.failed, total / elapsed,
      ms(latencies, 0.50), ms(latencies, 0.99), ms(latencies, 0.999), latencies[total - 1] / 1e6,
      ms(okLatencies, 0.50), ms(okLatencies, 0.99));
    System.exit(0);
  }

  /**
   * Sends {@code rate × seconds} requests on schedule, each on an idle connection or, when none is, as soon as one
   * is; each latency is counted from the request's due time. Returns once every request has been answered or has
   * failed; a minute after the last was due, those still waiting (in flight or never sent) count as failed, with
   * what they had waited as their latency.
   */
  private void run(int seconds, long[] latencies, boolean[] served) throws IOException {
    int total = latencies.length;
    Run run = new Run(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100), 1_000_000_000L / rate, latencies,
      served);
    long deadline = run.start + TimeUnit.SECONDS.toNanos(seconds + 60L);
    int next = 0;
    while (run.completed < total) {
      long now = System.nanoTime();
      if (now > deadline) {
        for (Connection connection : live) {
          connection.giveUp(run);
        }
        for (int unsent = next; unsent < total; unsent++) {
          run.latencies[unsent] = now - run.due(unsent);
          run.completed++;
          failed++;
        }
        return;
      }
      while (next < total && run.due(next) <= now && !idle.isEmpty()) {
        idle.poll().send(next++, run);
      }
      // sleep until the next request is due, or, with all sent or no connection idle, until an answer comes
      boolean sending = next < total && !idle.isEmpty();
      long timeoutMs = sending ? Math.max(1, TimeUnit.NANOSECONDS.toMillis(run.due(next) - now)) : 10;
      selector.select(timeoutMs);
      for (SelectionKey key : selector.selectedKeys()) {
        ((Connection) key.attachment()).ready(key, run);
      }
      selector.selectedKeys().clear();
    }
  }

  private void open() throws IOException {
    SocketChannel channel = SocketChannel.open();
    channel.configureBlocking(false);
    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
    Connection connection = new Connection(channel);
    live.add(connection);
    if (channel.connect(address)) {
      channel.register(selector, SelectionKey.OP_READ, connection);
      idle.add(connection);
    } else {
      channel.register(selector, SelectionKey.OP_CONNECT, connection);
    }
  }

  private static double ms(long[] sorted, double quantile) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)] / 1e6;
  }

  /** One measured run's schedule and what has come back so far. */
  private static final class Run {
    final long start;
    final long intervalNanos;
    final long[] latencies;
    final boolean[] served;
    int completed;

    Run(long start, long intervalNanos, long[] latencies, boolean[] served) {
      this.start = start;
      this.intervalNanos = intervalNanos;
      this.latencies = latencies;
      this.served = served;
    }

    /** When request {@code i} is due, in {@link System#nanoTime()}'s terms. */
    long due(int i) {
      return start + i * intervalNanos;
    }
  }

  /** A keep-alive connection with at most one request in flight. */
  private final class Connection {
    private final SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private ByteBuffer out;
    private int inFlight = -1;

    Connection(SocketChannel channel) {
      this.channel = channel;
    }

    void send(int request, Run run) throws IOException {
      inFlight = request;
      out = ByteBuffer.wrap(requests[request % requests.length]);
      try {
        channel.write(out);
      } catch (IOException e) {
        fail(run);
        return;
      }
      if (out.hasRemaining()) {
        channel.keyFor(selector).interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
      }
    }

    private void connect() {
      try {
        channel.finishConnect();
      } catch (IOException e) {
        throw new IllegalStateException("cannot connect to " + address + ": " + e.getMessage(), e);
      }
    }

    void ready(SelectionKey key, Run run) throws IOException {
      if (key.isConnectable()) {
        connect();
        key.interestOps(SelectionKey.OP_READ);
        idle.add(this);
        return;
      }
      try {
        if (key.isWritable()) {
          channel.write(out);
          if (!out.hasRemaining()) {
            key.interestOps(SelectionKey.OP_READ);
          }
        }
        if (key.isReadable()) {
          if (channel.read(in) < 0) {
            throw new IOException("closed by the server");
          }
          answered(run);
        }
      } catch (IOException | RuntimeException e) {
        // a malformed answer too: the request fails, the connection is replaced
        fail(run);
      }
    }

    /** Counts the request in flight, if any, as failed: the run is over. */
    void giveUp(Run run) {
      if (inFlight >= 0) {
        complete(run, 0);
      }
    }

    /** Completes the request in flight once its whole answer has been read. */
    private void answered(Run run) throws IOException {
      Http.Answer answer = Http.answer(in);
      if (answer == null) {
        if (!in.hasRemaining()) {
          throw new IOException("an answer larger than " + BUFFER_BYTES + " bytes");
        }
        return;
      }
      if (inFlight < 0 || answer.length() != in.position()) {
        throw new IOException("an answer to no request, or more than one");
      }
      in.clear();
      complete(run, answer.status());
      if (answer.closes()) {
        throw new IOException("closed by the server");
      }
      idle.add(this);
    }

    private void complete(Run run, int status) {
      int request = inFlight;
      inFlight = -1;
      run.latencies[request] = System.nanoTime() - run.due(request);
      run.completed++;
      if (status / 100 == 2) {
        ok++;
        run.served[request] = true;
      } else if (status > 0) {
        non2xx++;
      } else {
        failed++;
      }
    }

    /** Counts the request in flight as failed and replaces the connection. */
    private void fail(Run run) throws IOException {
      idle.remove(this);
      live.remove(this);
      channel.close();
      if (inFlight >= 0) {
        complete(run, 0);
      }
      open();
    }
  }

  /** Just enough HTTP/1.1 to find where an answer ends, its status, and whether the server closes after it. */
  private static final class Http {

    record Answer(int length, int status, boolean closes) { }

    /** The complete answer at the start of {@code in} (in write mode), or null if it is not all here yet. */
    static Answer answer(ByteBuffer in) {
      int end = in.position();
      int headEnd = lineEnd(in, 0, end, true);
      if (headEnd < 0) {
        return null;
      }
      String head = ascii(in, 0, headEnd).toLowerCase();
      int status = Integer.parseInt(head.substring(9, 12));
      boolean closes = head.contains("\r\nconnection: close");
      int at = head.indexOf("\r\ncontent-length:");
      int length;
      if (at >= 0) {
        int value = at + "\r\ncontent-length:".length();
        length = headEnd + Integer.parseInt(head.substring(value, head.indexOf('\r', value)).trim());
      } else if (head.contains("\r\ntransfer-encoding: chunked")) {
        length = chunkedEnd(in, headEnd, end);
      } else {
        length = headEnd;
      }
      return length < 0 || length > end ? null : new Answer(length, status, closes);
    }

    /** Where the line (or, with {@code blank}, the head ending in an empty line) from {@code from} ends, or -1. */
    private static int lineEnd(ByteBuffer in, int from, int end, boolean blank) {
      for (int i = from + 1; i < end; i++) {
        if (in.get(i) == '\n' && in.get(i - 1) == '\r'
          && (!blank || i >= 3 && in.get(i - 2) == '\n' && in.get(i - 3) == '\r')) {
          return i + 1;
        }
      }
      return -1;
    }

    /** The end of a chunked body from {@code from} (chunks, a zero-sized one, no trailers), or -1. */
    private static int chunkedEnd(ByteBuffer in, int from, int end) {
      int at = from;
      while (true) {
        int sizeEnd = lineEnd(in, at, end, false);
        if (sizeEnd < 0) {
          return -1;
        }
        String size = ascii(in, at, sizeEnd - 2);
        int semicolon = size.indexOf(';');
        int chunk = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
        at = sizeEnd + chunk + 2;
        if (chunk == 0 || at > end) {
          return at > end ? -1 : at;
        }
      }
    }

    private static String ascii(ByteBuffer in, int from, int to) {
      byte[] bytes = new byte[to - from];
      in.get(from, bytes);
      return new String(bytes, StandardCharsets.US_ASCII);
    }
  }
}
