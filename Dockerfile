# One image for every service: docker-compose picks the service with the command
# (gateway, processor, alerting). Builds with the Maven wrapper, so it needs nothing else.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -DskipTests package

FROM eclipse-temurin:17-jre
RUN useradd --system --home /var/lib/arrhythmia-monitor --create-home monitor
WORKDIR /opt/arrhythmia-monitor
COPY --from=build /src/monitor/target/lib ./lib
COPY --from=build /src/monitor/target/monitor.jar ./monitor.jar
USER monitor
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/arrhythmia-monitor/monitor.jar"]
CMD ["--help"]
