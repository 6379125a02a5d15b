package souk.common.node;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.impl.transports.NioTransport;
import io.vertx.core.transport.Transport;

import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.TimeUnit;

/**
 * Vert.x's NIO transport, with fewer socket writes on the connections a node opens: the event bus's connections to
 * the other nodes and the connections to PostgreSQL (and any HTTP client connection). On a connection's own event
 * loop, Vert.x flushes each event-bus message and the SQL client each statement as it is written, so a relay batch
 * of fifty messages, a group commit's statements or the replies to one read of requests would each leave as
 * separate write system calls, each waking the peer once more.
 *
 * <p>Each such connection gets Netty's {@link FlushConsolidationHandler} first in its pipeline. A flush asked for
 * while the connection is not being read is made by a task queued on its event loop, together with every flush asked
 * for until that task runs; one asked for while the connection is being read is made when the read is done. So a
 * message waits about as long as the work already queued on its event loop. Connections accepted by the node (HTTP
 * clients, which send one request at a time; the other nodes' event-bus connections, which bring messages in and
 * carry only pongs back) are left as they are.
 *
 * <p>An event loop that runs out of work polls for more for up to {@code SOUK_EVENT_LOOP_POLL_MICROS} before it
 * sleeps, when its recent gaps were that short ({@link PollingSelectStrategy}).
 *
 * <p>Its implementation extends Vert.x's own {@code NioTransport} (an internal class), so that Vert.x still sees a
 * NIO transport.
 */
final class ConsolidatingTransport implements Transport {

  static final String HANDLER_NAME = "souk-flush-consolidation";
  /** Flushes merged at most before one is let through. */
  private static final int MAX_MERGED = 256;

  private final io.vertx.core.spi.transport.Transport implementation;
  private final int pollMicros;

  /** @param pollMicros how long an idle event loop polls before it sleeps, at most; 0 for not at all */
  ConsolidatingTransport(int pollMicros) {
    this.pollMicros = pollMicros;
    long pollNanos = TimeUnit.MICROSECONDS.toNanos(pollMicros);
    implementation = new NioTransport() {
      @Override
      public IoHandlerFactory ioHandlerFactory() {
        return pollNanos == 0 ? super.ioHandlerFactory()
          : NioIoHandler.newFactory(SelectorProvider.provider(), () -> new PollingSelectStrategy(pollNanos));
      }

      @Override
      public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
        ChannelFactory<? extends Channel> channels = super.channelFactory(domainSocket);
        return () -> {
          Channel channel = channels.newChannel();
          channel.pipeline().addFirst(HANDLER_NAME, new FlushConsolidationHandler(MAX_MERGED, true));
          return channel;
        };
      }
    };
  }

  /** How long an idle event loop polls before it sleeps, at most, in microseconds; 0 when it does not. */
  int pollMicros() {
    return pollMicros;
  }

  @Override
  public String name() {
    return Transport.NIO.name();
  }

  @Override
  public boolean available() {
    return true;
  }

  @Override
  public Throwable unavailabilityCause() {
    return null;
  }

  @Override
  public io.vertx.core.spi.transport.Transport implementation() {
    return implementation;
  }
}
