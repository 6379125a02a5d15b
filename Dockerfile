# syntax=docker/dockerfile:1
# One image per Souk node kind, from the fat jars `mvn -B package -DskipTests` builds:
#   docker build --target gateway -t souk/gateway .      (and user, order, payment)
# Each runs as an unprivileged user, on Eclipse Temurin's JRE 17, and checks its own /health on its management port
# (the gateway: its HTTP port). Configure it with SOUK_* variables (README.md); compose.yaml and deploy/kubernetes/
# show complete set-ups.
FROM eclipse-temurin:17-jre-noble AS base
RUN groupadd --system --gid 10001 souk \
 && useradd --system --uid 10001 --gid souk --home-dir /opt/souk --shell /usr/sbin/nologin souk \
 && mkdir -p /opt/souk \
 && chown souk:souk /opt/souk
COPY --chmod=0755 ops/docker/probe.sh /opt/souk/probe.sh
WORKDIR /opt/souk
USER 10001:10001
# Hazelcast's first port (the next ones are tried when it is taken); the event bus takes a free port of its own
EXPOSE 5701
# the JVM sizes its heap from the container's memory limit; JAVA_TOOL_OPTIONS adds options of your own
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=60", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/souk/node.jar"]
HEALTHCHECK --interval=10s --timeout=5s --start-period=90s --retries=3 CMD ["/opt/souk/probe.sh", "/health"]

FROM base AS gateway
ENV NODE_KIND=gateway SOUK_HTTP_HOST=0.0.0.0 SOUK_HTTP_PORT=8080
COPY --chown=10001:10001 gateway-verticle/target/gateway-verticle.jar /opt/souk/node.jar
EXPOSE 8080

FROM base AS user
ENV NODE_KIND=user SOUK_MANAGEMENT_PORT=9101
COPY --chown=10001:10001 user-verticle/target/user-verticle.jar /opt/souk/node.jar
EXPOSE 9101

FROM base AS order
ENV NODE_KIND=order SOUK_MANAGEMENT_PORT=9102
COPY --chown=10001:10001 order-verticle/target/order-verticle.jar /opt/souk/node.jar
EXPOSE 9102

FROM base AS payment
ENV NODE_KIND=payment SOUK_MANAGEMENT_PORT=9103
COPY --chown=10001:10001 payment-verticle/target/payment-verticle.jar /opt/souk/node.jar
EXPOSE 9103
