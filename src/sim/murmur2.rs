//! Kafka's key hashing: the 32-bit murmur2 variant in
//! `org.apache.kafka.common.utils.Utils.murmur2`, plus `toPositive`.
//!
//! The default partitioner computes `toPositive(murmur2(keyBytes)) % numPartitions`;
//! learners who move to a real cluster must see the same key land on the same partition.

/// Kafka's murmur2 hash (seed `0x9747b28c`), returned as Java's signed `int`.
pub fn murmur2(data: &[u8]) -> i32 {
    let length = data.len();
    let seed: u32 = 0x9747_b28c;
    let m: u32 = 0x5bd1_e995;
    let r = 24;

    let mut h: u32 = seed ^ (length as u32);
    let length4 = length / 4;

    for i in 0..length4 {
        let i4 = i * 4;
        let mut k: u32 = (data[i4] as u32)
            | ((data[i4 + 1] as u32) << 8)
            | ((data[i4 + 2] as u32) << 16)
            | ((data[i4 + 3] as u32) << 24);
        k = k.wrapping_mul(m);
        k ^= k >> r;
        k = k.wrapping_mul(m);
        h = h.wrapping_mul(m);
        h ^= k;
    }

    let tail = length4 * 4;
    match length % 4 {
        3 => {
            h ^= (data[tail + 2] as u32) << 16;
            h ^= (data[tail + 1] as u32) << 8;
            h ^= data[tail] as u32;
            h = h.wrapping_mul(m);
        }
        2 => {
            h ^= (data[tail + 1] as u32) << 8;
            h ^= data[tail] as u32;
            h = h.wrapping_mul(m);
        }
        1 => {
            h ^= data[tail] as u32;
            h = h.wrapping_mul(m);
        }
        _ => {}
    }

    h ^= h >> 13;
    h = h.wrapping_mul(m);
    h ^= h >> 15;
    h as i32
}

/// Kafka's `Utils.toPositive`: clears the sign bit (not `abs`, which overflows on `i32::MIN`).
pub fn to_positive(n: i32) -> i32 {
    n & 0x7fff_ffff
}

/// The partition a keyed record goes to under Kafka's default (built-in) partitioner.
pub fn partition_for_key(key: &[u8], num_partitions: u32) -> u32 {
    debug_assert!(num_partitions > 0);
    (to_positive(murmur2(key)) as u32) % num_partitions.max(1)
}
