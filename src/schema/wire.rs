//! The Confluent wire format: what a Kafka record's key or value holds when a
//! Schema Registry serializer wrote it.
//!
//! ```text
//! byte 0      magic byte 0x00
//! bytes 1..5  schema id, 4 bytes big-endian
//! bytes 5..   the Avro binary encoding of the value
//! ```
//!
//! The consumer reads the id, fetches that schema from the registry (the
//! writer schema) and decodes the rest with it.

use std::fmt;

/// The only magic byte the format defines.
pub const MAGIC_BYTE: u8 = 0x00;
/// Magic byte plus schema id.
pub const HEADER_LEN: usize = 5;

/// Frames an Avro body with the magic byte and schema id.
pub fn encode(schema_id: u32, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.push(MAGIC_BYTE);
    out.extend_from_slice(&schema_id.to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// Why bytes are not in the Confluent wire format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WireError {
    /// Fewer than 5 bytes: there is no room for the header.
    TooShort { len: usize },
    /// The first byte is not 0x00 (for example plain JSON or a string
    /// produced without the Avro serializer).
    UnknownMagicByte { found: u8 },
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::TooShort { len } => write!(
                f,
                "Error deserializing Avro message: {len} bytes is shorter than the 5-byte header (magic byte and schema id)"
            ),
            WireError::UnknownMagicByte { found } => write!(
                f,
                "Unknown magic byte! (found 0x{found:02x}; data written by a Schema Registry serializer starts with 0x00)"
            ),
        }
    }
}

impl std::error::Error for WireError {}

/// Splits framed bytes into the schema id and the Avro body.
pub fn decode(bytes: &[u8]) -> Result<(u32, &[u8]), WireError> {
    let (Some(magic), Some(id), Some(body)) = (bytes.first(), bytes.get(1..5), bytes.get(5..))
    else {
        if let Some(&b) = bytes.first() {
            if b != MAGIC_BYTE {
                return Err(WireError::UnknownMagicByte { found: b });
            }
        }
        return Err(WireError::TooShort { len: bytes.len() });
    };
    if *magic != MAGIC_BYTE {
        return Err(WireError::UnknownMagicByte { found: *magic });
    }
    let mut id_bytes = [0u8; 4];
    id_bytes.copy_from_slice(id);
    Ok((u32::from_be_bytes(id_bytes), body))
}
