package souk.common.node;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.transport.Transport;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.vertx.sqlclient.impl.SocketConnectionBase;
import io.vertx.sqlclient.internal.SqlConnectionBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import souk.common.config.ConfigLoader;
import souk.common.config.NodeConfig;
import souk.common.config.PgConfig;
import souk.common.db.Databases;
import souk.common.testing.OnContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a node writes in one turn of its event loop leaves in one socket write: on a plain TCP connection (the event
 * bus's) and on a PostgreSQL connection. Each is checked against Vert.x's own transport, which flushes every write.
 * And the transport's event loops, polling before they sleep or not, still run what other threads hand them.
 */
class ConsolidatingTransportTest {

  private static final PgConfig PG = PgConfig.of("souk_test_consolidating_transport", System.getenv());
  private static final int WRITES = 20;

  private final List<Vertx> started = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (Vertx vertx : started) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void writes_made_in_one_turn_of_the_loop_are_flushed_once() throws Exception {
    Vertx vertx = start(new ConsolidatingTransport(NodeConfig.DEFAULT_POLL_MICROS));
    assertFalse(vertx.isNativeTransportEnabled(), "Vert.x still sees its NIO transport");
    assertEquals(1, flushesForWritesInOneTurn(vertx));
    assertEquals(WRITES, flushesForWritesInOneTurn(start(Transport.NIO)), "Vert.x alone flushes each write");
  }

  @Test
  void statements_sent_together_to_postgresql_are_flushed_once() throws Exception {
    assertEquals(1, flushesForStatementsInOneTurn(start(new ConsolidatingTransport(NodeConfig.DEFAULT_POLL_MICROS))));
    assertEquals(WRITES, flushesForStatementsInOneTurn(start(Transport.NIO)), "the client alone flushes each one");
  }

  @Test
  void a_node_polls_as_long_as_its_setting_says() {
    for (String micros : List.of("0", "50", "200")) {
      NodeConfig config = NodeConfig.from("test-service", ConfigLoader.load(
        Map.of("SOUK_EVENT_LOOP_POLL_MICROS", micros), "souk-defaults.json", "test-node.json"));
      assertEquals(Integer.parseInt(micros), NodeLauncher.transport(config).pollMicros(), micros);
    }
  }

  @Test
  void with_polling_turned_off_writes_are_still_merged() throws Exception {
    assertEquals(1, flushesForWritesInOneTurn(start(new ConsolidatingTransport(0))));
  }

  @ParameterizedTest(name = "polling for up to {0} µs")
  @ValueSource(ints = {NodeConfig.DEFAULT_POLL_MICROS, 0})
  void an_event_loop_sees_what_other_threads_hand_it_and_still_sleeps_and_wakes(int pollMicros) throws Exception {
    Vertx vertx = start(new ConsolidatingTransport(pollMicros));
    Context loop = vertx.getOrCreateContext();
    assertTrue(onLoop(loop, ThreadExecutorMap::currentExecutor) instanceof SingleThreadEventExecutor,
      "a poll can see the tasks other threads hand to its loop");
    for (int i = 0; i < 200; i++) {
      // handed over from this thread, while the loop polls or sleeps: each is run, none waits for another
      onLoop(loop, () -> null);
      if (i % 50 == 0) {
        Thread.sleep(5); // long enough for the loop to stop polling and sleep
      }
    }
    CompletableFuture<Void> timer = new CompletableFuture<>();
    vertx.setTimer(1, id -> timer.complete(null));
    timer.get(10, TimeUnit.SECONDS);
  }

  private int flushesForWritesInOneTurn(Vertx vertx) throws Exception {
    Buffer received = Buffer.buffer();
    CompletableFuture<Void> all = new CompletableFuture<>();
    CompletableFuture<Boolean> acceptedHasHandler = new CompletableFuture<>();
    NetServer server = vertx.createNetServer().connectHandler(socket -> {
      acceptedHasHandler.complete(pipeline(socket).get(ConsolidatingTransport.HANDLER_NAME) != null);
      socket.handler(data -> {
        received.appendBuffer(data);
        if (received.length() == WRITES) {
          all.complete(null);
        }
      });
    });
    int port = server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    Context loop = vertx.getOrCreateContext();
    NetSocket socket = onLoop(loop, () -> vertx.createNetClient().connect(port, "127.0.0.1"))
      .await(10, TimeUnit.SECONDS);
    AtomicInteger flushes = countFlushes(pipeline(socket));
    onLoop(loop, () -> {
      for (int i = 0; i < WRITES; i++) {
        socket.write(Buffer.buffer(new byte[] {(byte) i}));
      }
      return null;
    });
    all.get(10, TimeUnit.SECONDS);
    assertFalse(acceptedHasHandler.get(10, TimeUnit.SECONDS), "a connection the node accepts is left as it is");
    return flushes.get();
  }

  private int flushesForStatementsInOneTurn(Vertx vertx) throws Exception {
    Pool pool = Databases.prepare(vertx, PG).await(60, TimeUnit.SECONDS);
    Context loop = vertx.getOrCreateContext();
    SqlConnection conn = onLoop(loop, pool::getConnection).await(10, TimeUnit.SECONDS);
    // the statement is prepared first: its first use waits for PostgreSQL's answer before it is executed
    sendTogether(loop, conn);
    SocketConnectionBase socket = (SocketConnectionBase) ((SqlConnectionBase<?>) conn).unwrap().unwrap();
    AtomicInteger flushes = countFlushes(socket.socket().channelHandlerContext().pipeline());
    List<Integer> answers = sendTogether(loop, conn);
    for (int i = 0; i < WRITES; i++) {
      assertEquals(i, answers.get(i), "each statement gets its own answer, in order");
    }
    conn.close().await(10, TimeUnit.SECONDS);
    return flushes.get();
  }

  private Vertx start(Transport transport) {
    Vertx vertx = Vertx.builder().withTransport(transport).build();
    started.add(vertx);
    return vertx;
  }

  private static ChannelPipeline pipeline(NetSocket socket) {
    return ((NetSocketInternal) socket).channelHandlerContext().pipeline();
  }

  /** A handler at the head of the pipeline: it counts the flushes that reach the socket. */
  private static AtomicInteger countFlushes(ChannelPipeline pipeline) {
    AtomicInteger flushes = new AtomicInteger();
    pipeline.addFirst("flush-counter", new ChannelOutboundHandlerAdapter() {
      @Override
      public void flush(ChannelHandlerContext ctx) {
        flushes.incrementAndGet();
        ctx.flush();
      }
    });
    return flushes;
  }

  private static List<Integer> sendTogether(Context loop, SqlConnection conn) throws Exception {
    Future<List<Integer>> all = onLoop(loop, () -> {
      List<Future<Integer>> answers = new ArrayList<>();
      for (int i = 0; i < WRITES; i++) {
        answers.add(conn.preparedQuery("SELECT $1::int AS n").execute(Tuple.of(i))
          .map(rows -> rows.iterator().next().getInteger("n")));
      }
      return Future.all(answers).map(done -> answers.stream().map(Future::result).toList());
    });
    return all.await(10, TimeUnit.SECONDS);
  }

  private static <T> T onLoop(Context loop, Supplier<T> action) throws Exception {
    return OnContext.call(loop, action);
  }
}
