//! A small LZ77 compressor in the LZ4 block layout, for share links.
//!
//! Why our own: a session is a few hundred bytes to a few KB of command
//! lines that repeat themselves (`kafka-console-producer --topic orders …`),
//! which back-references alone shrink well; a deflate crate would add tens of
//! KB to the page for a few percent more. This one is a greedy matcher over a
//! 4,096-entry hash table and a decoder that checks every length and offset,
//! so a damaged input is an error, never a panic or a runaway allocation.
//!
//! Layout (the LZ4 block format): sequences of a token (high nibble: literal
//! count, low nibble: match length − 4; 15 means more bytes follow, each
//! adding up to 255), the literals, a 2-byte little-endian offset back into
//! the output and the extra match-length bytes. The last sequence has
//! literals only.

const MIN_MATCH: usize = 4;
const HASH_BITS: u32 = 12;
const MAX_OFFSET: usize = u16::MAX as usize;
/// LZ4's end rules: the last match starts at least 12 bytes before the end
/// and the last 5 bytes are literals.
const END_LITERALS: usize = 5;
const MATCH_LIMIT: usize = 12;

/// Why a compressed block could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LzError {
    /// The block ends in the middle of a sequence.
    Truncated,
    /// An offset points before the start of the output.
    BadOffset,
    /// The output would be longer than allowed.
    TooLong,
}

fn hash(bytes: &[u8]) -> usize {
    let v = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    (v.wrapping_mul(2_654_435_761) >> (32 - HASH_BITS)) as usize
}

fn push_length(out: &mut Vec<u8>, mut n: usize) {
    while n >= 255 {
        out.push(255);
        n -= 255;
    }
    out.push(n as u8);
}

fn push_sequence(out: &mut Vec<u8>, literals: &[u8], matched: Option<(usize, usize)>) {
    let lit = literals.len();
    let ml = matched.map_or(0, |(_, len)| len - MIN_MATCH);
    let token = ((lit.min(15) as u8) << 4)
        | if matched.is_some() {
            ml.min(15) as u8
        } else {
            0
        };
    out.push(token);
    if lit >= 15 {
        push_length(out, lit - 15);
    }
    out.extend_from_slice(literals);
    if let Some((offset, _)) = matched {
        out.extend_from_slice(&(offset as u16).to_le_bytes());
        if ml >= 15 {
            push_length(out, ml - 15);
        }
    }
}

/// Compresses `input` into one block.
pub fn compress(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 2 + 16);
    let mut table = vec![usize::MAX; 1 << HASH_BITS];
    let mut anchor = 0;
    let mut i = 0;
    let last_match_start = input.len().saturating_sub(MATCH_LIMIT);
    while input.len() >= MATCH_LIMIT && i < last_match_start {
        let h = hash(&input[i..]);
        let candidate = table[h];
        table[h] = i;
        let hit = candidate != usize::MAX
            && i - candidate <= MAX_OFFSET
            && input[candidate..candidate + MIN_MATCH] == input[i..i + MIN_MATCH];
        if !hit {
            i += 1;
            continue;
        }
        let limit = input.len() - END_LITERALS;
        let mut len = MIN_MATCH;
        while i + len < limit && input[candidate + len] == input[i + len] {
            len += 1;
        }
        push_sequence(&mut out, &input[anchor..i], Some((i - candidate, len)));
        i += len;
        anchor = i;
    }
    push_sequence(&mut out, &input[anchor..], None);
    out
}

/// Reads a length continued in 255-steps after a nibble of 15.
fn read_length(input: &[u8], at: &mut usize, mut n: usize) -> Result<usize, LzError> {
    loop {
        let b = *input.get(*at).ok_or(LzError::Truncated)?;
        *at += 1;
        n = n.checked_add(b as usize).ok_or(LzError::TooLong)?;
        if b != 255 {
            return Ok(n);
        }
    }
}

/// Decompresses one block, refusing to produce more than `max_len` bytes.
pub fn decompress(input: &[u8], max_len: usize) -> Result<Vec<u8>, LzError> {
    let mut out: Vec<u8> = Vec::new();
    let mut at = 0;
    loop {
        let token = *input.get(at).ok_or(LzError::Truncated)?;
        at += 1;
        let mut lit = (token >> 4) as usize;
        if lit == 15 {
            lit = read_length(input, &mut at, lit)?;
        }
        let end = at.checked_add(lit).ok_or(LzError::TooLong)?;
        let literals = input.get(at..end).ok_or(LzError::Truncated)?;
        if out.len() + lit > max_len {
            return Err(LzError::TooLong);
        }
        out.extend_from_slice(literals);
        at = end;
        if at == input.len() {
            return Ok(out);
        }
        let offset = match input.get(at..at + 2) {
            Some(b) => u16::from_le_bytes([b[0], b[1]]) as usize,
            None => return Err(LzError::Truncated),
        };
        at += 2;
        let mut len = (token & 15) as usize;
        if len == 15 {
            len = read_length(input, &mut at, len)?;
        }
        let len = len + MIN_MATCH;
        if offset == 0 || offset > out.len() {
            return Err(LzError::BadOffset);
        }
        if out.len() + len > max_len {
            return Err(LzError::TooLong);
        }
        let from = out.len() - offset;
        for k in 0..len {
            let b = out[from + k];
            out.push(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(input: &[u8]) {
        let c = compress(input);
        assert_eq!(decompress(&c, input.len()).as_deref(), Ok(input));
    }

    #[test]
    fn round_trips_empty_short_repetitive_and_noisy_input() {
        round_trip(b"");
        round_trip(b"a");
        round_trip(b"abcdefghijklmnop");
        round_trip(&[7u8; 1000]);
        let lines = "kafka-console-producer --topic orders <<EOF\nfirst\nEOF\n".repeat(40);
        round_trip(lines.as_bytes());
        let mut x = 1u64;
        let noisy: Vec<u8> = (0..5000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % 7) as u8 + b'a'
            })
            .collect();
        round_trip(&noisy);
    }

    #[test]
    fn repetitive_text_shrinks() {
        let lines =
            "kafka-console-producer --topic orders --producer-property acks=all <<EOF\n".repeat(20);
        let c = compress(lines.as_bytes());
        assert!(c.len() * 5 < lines.len(), "{} of {}", c.len(), lines.len());
    }

    #[test]
    fn damaged_blocks_are_errors_not_panics() {
        let lines = "sim broker kill 1\nsim broker start 1\n".repeat(30);
        let c = compress(lines.as_bytes());
        for cut in 0..c.len() {
            let _ = decompress(&c[..cut], 10_000);
        }
        for i in 0..c.len() {
            for flip in [1u8, 0x80, 0xFF] {
                let mut d = c.clone();
                d[i] ^= flip;
                let _ = decompress(&d, 10_000);
            }
        }
        assert_eq!(decompress(&c, 10), Err(LzError::TooLong));
        assert_eq!(decompress(&[0x00, 1, 0], 100), Err(LzError::BadOffset));
        assert_eq!(decompress(&[0x50, b'a'], 100), Err(LzError::Truncated));
    }
}
