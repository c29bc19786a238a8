//! How a console consumer prints a record: the `print.*` properties of Kafka's
//! `DefaultMessageFormatter` (`print.key`, `key.separator`, `null.literal` …).
//! Its own module because the console session keeps each attached consumer's
//! format, and the session must not depend on the command that fills it in.

use crate::sim::consumer::ConsumedRecord;

/// Confluent's console consumer: the same options, values read with the Avro
/// deserializer and printed as Avro JSON.
pub const AVRO_TOOL: &str = "kafka-avro-console-consumer";

/// What to print for each record (the formatter's `print.*` properties).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Format {
    pub print_timestamp: bool,
    pub print_partition: bool,
    pub print_offset: bool,
    pub print_headers: bool,
    /// `print.delivery` and `print.epoch` (Kafka 4.1): the console consumer
    /// hands the formatter a copy of each record without its delivery count and
    /// leader epoch, so these print `Delivery:NOT_PRESENT` and `Epoch:NOT_PRESENT`.
    pub print_delivery: bool,
    pub print_epoch: bool,
    pub print_key: bool,
    pub print_value: bool,
    pub key_separator: String,
    pub line_separator: String,
    pub headers_separator: String,
    pub headers_key_separator: String,
    pub null_literal: String,
    /// `print.schema.ids` (kafka-avro-console-consumer): the schema id after
    /// the key and after the value, behind `schema.id.separator`.
    pub print_schema_ids: bool,
    pub schema_id_separator: String,
    /// Print the decoded Avro JSON rather than the raw bytes.
    pub avro_key: bool,
    pub avro_value: bool,
}

impl Default for Format {
    fn default() -> Self {
        Format {
            print_timestamp: false,
            print_partition: false,
            print_offset: false,
            print_headers: false,
            print_delivery: false,
            print_epoch: false,
            print_key: false,
            print_value: true,
            key_separator: "\t".into(),
            line_separator: "\n".into(),
            headers_separator: ",".into(),
            headers_key_separator: ":".into(),
            null_literal: "null".into(),
            print_schema_ids: false,
            schema_id_separator: "\t".into(),
            avro_key: false,
            avro_value: false,
        }
    }
}

impl Format {
    pub(super) fn set(&mut self, tool: &str, k: &str, v: &str) -> Result<(), String> {
        // `DefaultMessageFormatter.getBoolProperty`: true when the value is
        // "true" (any case, trimmed), false for anything else.
        let flag = |v: &str| -> Result<bool, String> { Ok(v.trim().eq_ignore_ascii_case("true")) };
        match k {
            "print.timestamp" => self.print_timestamp = flag(v)?,
            "print.partition" => self.print_partition = flag(v)?,
            "print.offset" => self.print_offset = flag(v)?,
            "print.headers" => self.print_headers = flag(v)?,
            "print.delivery" => self.print_delivery = flag(v)?,
            "print.epoch" => self.print_epoch = flag(v)?,
            "print.key" => self.print_key = flag(v)?,
            "print.value" => self.print_value = flag(v)?,
            "key.separator" => self.key_separator = v.to_string(),
            "line.separator" => self.line_separator = v.to_string(),
            "headers.separator" => self.headers_separator = v.to_string(),
            "headers.key.separator" => self.headers_key_separator = v.to_string(),
            "null.literal" => self.null_literal = v.to_string(),
            "print.schema.ids" if tool == AVRO_TOOL => self.print_schema_ids = flag(v)?,
            "schema.id.separator" if tool == AVRO_TOOL => self.schema_id_separator = v.to_string(),
            other => {
                let avro = if tool == AVRO_TOOL {
                    ", schema.registry.url, print.schema.ids, schema.id.separator, key.deserializer, value.deserializer"
                } else {
                    ""
                };
                return Err(format!(
                    "{tool}: unknown --property '{other}' (known: print.timestamp, print.partition, print.offset, print.delivery, print.epoch, print.headers, print.key, print.value, key.separator, line.separator, headers.separator, headers.key.separator, null.literal{avro})", other = crate::echo::show(other)
                ));
            }
        }
        Ok(())
    }

    fn bytes(&self, b: Option<&[u8]>) -> String {
        match b {
            None => self.null_literal.clone(),
            Some(v) => String::from_utf8_lossy(v).into_owned(),
        }
    }

    /// A key or value column: the bytes as text, or the Avro JSON the
    /// deserializer produced, with its schema id when `print.schema.ids` is on.
    fn column(
        &self,
        avro: bool,
        bytes: Option<&[u8]>,
        decoded: &Option<String>,
        id: Option<u32>,
    ) -> String {
        if !avro {
            return self.bytes(bytes);
        }
        let mut text = decoded.clone().unwrap_or_else(|| self.null_literal.clone());
        if let (true, Some(id)) = (self.print_schema_ids, id) {
            text.push_str(&self.schema_id_separator);
            text.push_str(&id.to_string());
        }
        text
    }

    /// One record, column by column, as `DefaultMessageFormatter.writeTo` prints it.
    pub fn render(&self, c: &ConsumedRecord) -> String {
        let r = &c.record;
        let mut cols: Vec<String> = Vec::new();
        if self.print_timestamp {
            cols.push(format!("CreateTime:{}", r.timestamp));
        }
        if self.print_partition {
            cols.push(format!("Partition:{}", c.partition));
        }
        if self.print_offset {
            cols.push(format!("Offset:{}", r.offset));
        }
        if self.print_delivery {
            cols.push("Delivery:NOT_PRESENT".into());
        }
        if self.print_epoch {
            cols.push("Epoch:NOT_PRESENT".into());
        }
        if self.print_headers {
            if r.headers.is_empty() {
                cols.push("NO_HEADERS".into());
            } else {
                cols.push(
                    r.headers
                        .iter()
                        .map(|h| {
                            format!(
                                "{}{}{}",
                                h.key,
                                self.headers_key_separator,
                                String::from_utf8_lossy(&h.value)
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(&self.headers_separator),
                );
            }
        }
        if self.print_key {
            cols.push(self.column(
                self.avro_key,
                r.key.as_deref(),
                &c.decoded_key,
                c.key_schema_id,
            ));
        }
        if self.print_value {
            cols.push(self.column(
                self.avro_value,
                r.value.as_deref(),
                &c.decoded_value,
                c.value_schema_id,
            ));
        }
        if cols.is_empty() {
            // Every column switched off: `writeTo` prints nothing at all.
            return String::new();
        }
        let mut line = cols.join(&self.key_separator);
        line.push_str(&self.line_separator);
        line
    }
}
