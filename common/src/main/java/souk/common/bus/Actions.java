package souk.common.bus;

import souk.common.saga.SagaMessages;

import java.util.Set;

/**
 * The actions ({@link Headers#ACTION}) each service answers: the one spelling of every request one node sends
 * another. Saga messages are named in {@link SagaMessages}; {@link #answeredBy(String)} lists both per service.
 */
public final class Actions {

  /** Answered by every service node with {@code {service, nodeId}}. */
  public static final String PING = "ping";
  /**
   * Answered by the order and the payment service for the caller in the {@link Headers#USER_ID} header: their part
   * of the gateway's user summary.
   */
  public static final String SUMMARY = "summary";

  /** The user service's actions. */
  public static final class User {
    public static final String CREATE = "create-user";
    public static final String GET = "get-user";
    public static final String GET_ME = "get-me";
    /** Not a route: the gateway's token endpoint asks it, with {@code {email, password}}, for {@code {userId}}. */
    public static final String AUTHENTICATE = "authenticate";

    private User() {
    }
  }

  /** The order service's actions. */
  public static final class Order {
    public static final String CREATE = "create-order";
    public static final String GET = "get-order";
    public static final String LIST = "list-orders";
    public static final String CANCEL = "cancel-order";

    private Order() {
    }
  }

  private Actions() {
  }

  /** Every action {@code service} answers, saga messages included; empty for a service this table does not know. */
  public static Set<String> answeredBy(String service) {
    return switch (service) {
      case Addresses.USER_SERVICE -> Set.of(PING, User.CREATE, User.GET, User.GET_ME, User.AUTHENTICATE);
      case Addresses.ORDER_SERVICE -> Set.of(PING, SUMMARY, Order.CREATE, Order.GET, Order.LIST, Order.CANCEL,
        SagaMessages.PAYMENT_RESULT);
      case Addresses.PAYMENT_SERVICE -> Set.of(PING, SUMMARY, SagaMessages.CHARGE, SagaMessages.REFUND);
      default -> Set.of();
    };
  }
}
