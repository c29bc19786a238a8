#!/usr/bin/env bash
# A kafka-sim session as commands for a real cluster: the 3 brokers (KRaft)
# and schema registry of docs/compose.yaml (`docker compose up -d` in its
# folder first; the `docker compose` actions below run there too).
# The tools are Confluent's names (kafka-topics, kafka-avro-console-producer);
# with Apache Kafka's own download, the same tools end in .sh.
# `sim` commands have no real equivalent: each is a comment with the nearest
# real action. A real cluster's timing is its own, so the output may differ.
set -euo pipefail
for tool in kafka-topics kafka-console-producer kafka-console-consumer kafka-consumer-groups \
  kafka-get-offsets kafka-leader-election kafka-configs kafka-metadata-quorum; do
  if ! command -v "$tool" >/dev/null && command -v "$tool.sh" >/dev/null; then
    eval "$tool() { $tool.sh \"\$@\"; }"
  fi
done
# From a kafka-sim VERSION session: seed 42, 3 brokers, profile teaching.
# The session used shorter timeouts than Kafka's defaults (`sim profile
# teaching`); compose.yaml keeps the defaults, so failures take longer to notice.

kafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 1 --replication-factor 3
kafka-console-producer --bootstrap-server localhost:9092 --topic orders --producer-property acks=1 <<EOF
first
EOF
# sim advance 1000
#   nearest real action: sleep 1 (a real cluster's clock runs by itself)
# Both followers stall for a second, so they cannot copy the next record in time.
# sim broker pause 2 1000
#   nearest real action: docker compose pause kafka-2; sleep 1; docker compose unpause kafka-2
# sim broker pause 3 1000
#   nearest real action: docker compose pause kafka-3; sleep 1; docker compose unpause kafka-3
kafka-console-producer --bootstrap-server localhost:9092 --topic orders --producer-property acks=1 <<EOF
second
EOF
# The leader (broker 1) dies right after acknowledging "second",
# while the answers to its followers' fetches are still on their way.
# sim broker kill 1
#   nearest real action: docker compose kill kafka-1
# sim advance 6000
#   nearest real action: sleep 6 (a real cluster's clock runs by itself)
kafka-topics --bootstrap-server localhost:9092 --describe --topic orders
# Broker 1 comes back, sees its log diverged from the new leader and truncates "second".
# sim broker start 1
#   nearest real action: docker compose start kafka-1
# sim advance 3000
#   nearest real action: sleep 3 (a real cluster's clock runs by itself)
kafka-topics --bootstrap-server localhost:9092 --describe --topic orders
