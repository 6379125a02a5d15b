package souk.payment.api;

import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import souk.common.bus.Actions;
import souk.common.bus.Callers;
import souk.common.bus.Headers;
import souk.common.bus.ServiceDispatcher;
import souk.common.outbox.IdempotentConsumer;
import souk.common.saga.SagaMessages;
import souk.payment.service.PaymentService;

/** The payment service's event-bus actions: the saga's {@code charge} and {@code refund}, and {@code summary}. */
public final class PaymentApi {

  private final PaymentService payments;

  public PaymentApi(PaymentService payments) {
    this.payments = payments;
  }

  public ServiceDispatcher register(ServiceDispatcher dispatcher) {
    return dispatcher
      .on(SagaMessages.CHARGE, m -> payments.charge(IdempotentConsumer.messageId(m), m.body(), requestId(m)))
      .on(SagaMessages.REFUND, m -> payments.refund(IdempotentConsumer.messageId(m), m.body(), requestId(m)))
      .on(Actions.SUMMARY, m -> payments.summary(Callers.userId(m.headers())));
  }

  private static String requestId(Message<JsonObject> message) {
    return message.headers().get(Headers.REQUEST_ID);
  }

}
