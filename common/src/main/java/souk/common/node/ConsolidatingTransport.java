package souk.common.node;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.transport.Transport;

import java.util.concurrent.ThreadFactory;

/**
 * Vert.x's transport, with one socket write per turn of the event loop on each connection this node opens: the
 * event bus's connections to the other nodes and the connections to PostgreSQL. Vert.x flushes each event-bus message
 * and the SQL client each statement as it is written, so a gateway that sent twenty requests to a user node while
 * handling one batch of ready sockets made twenty write system calls, and the user node twenty wake-ups to read them.
 * Each such connection gets Netty's {@link FlushConsolidationHandler} first in its pipeline: flushes asked for while
 * the event loop is still busy become one, made when it is done. Connections accepted (HTTP clients, other nodes'
 * event-bus connections, which only bring messages in) are left as they are.
 */
final class ConsolidatingTransport implements Transport {

  static final String HANDLER_NAME = "souk-flush-consolidation";
  /** Flushes merged at most before one is let through while the loop is still busy. */
  private static final int MAX_MERGED = 256;

  private final Transport base;
  private final Implementation implementation;

  ConsolidatingTransport(Transport base) {
    this.base = base;
    this.implementation = new Implementation(base.implementation());
  }

  @Override
  public String name() {
    return base.name();
  }

  @Override
  public boolean available() {
    return base.available();
  }

  @Override
  public Throwable unavailabilityCause() {
    return base.unavailabilityCause();
  }

  @Override
  public io.vertx.core.spi.transport.Transport implementation() {
    return implementation;
  }

  private record Implementation(io.vertx.core.spi.transport.Transport base)
    implements io.vertx.core.spi.transport.Transport {

    @Override
    public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
      ChannelFactory<? extends Channel> channels = base.channelFactory(domainSocket);
      return () -> {
        Channel channel = channels.newChannel();
        channel.pipeline().addFirst(HANDLER_NAME, new FlushConsolidationHandler(MAX_MERGED, true));
        return channel;
      };
    }

    @Override
    public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
      return base.serverChannelFactory(domainSocket);
    }

    @Override
    public boolean supportsDomainSockets() {
      return base.supportsDomainSockets();
    }

    @Override
    public boolean supportFileRegion() {
      return base.supportFileRegion();
    }

    @Override
    public boolean isAvailable() {
      return base.isAvailable();
    }

    @Override
    public Throwable unavailabilityCause() {
      return base.unavailabilityCause();
    }

    @Override
    public java.net.SocketAddress convert(SocketAddress address) {
      return base.convert(address);
    }

    @Override
    public SocketAddress convert(java.net.SocketAddress address) {
      return base.convert(address);
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
      return base.ioHandlerFactory();
    }

    @Override
    public EventLoopGroup eventLoopGroup(int type, int threads, ThreadFactory factory, int ioRatio) {
      return base.eventLoopGroup(type, threads, factory, ioRatio);
    }

    @Override
    public DatagramChannel datagramChannel() {
      return base.datagramChannel();
    }

    @Override
    public DatagramChannel datagramChannel(InternetProtocolFamily family) {
      return base.datagramChannel(family);
    }

    @Override
    public void configure(DatagramChannel channel, DatagramSocketOptions options) {
      base.configure(channel, options);
    }

    @Override
    public void configure(ClientOptionsBase options, int connectTimeout, boolean domainSocket, Bootstrap bootstrap) {
      base.configure(options, connectTimeout, domainSocket, bootstrap);
    }

    @Override
    public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
      base.configure(options, domainSocket, bootstrap);
    }
  }
}
