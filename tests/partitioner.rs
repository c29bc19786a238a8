//! Kafka's default partitioner: murmur2 vectors and key → partition choices.

use kafka_sim::sim::murmur2::{murmur2, partition_for_key, to_positive};

/// Vectors from Kafka's own `UtilsTest.testMurmur2`.
#[test]
fn murmur2_matches_kafka_utils_test_vectors() {
    let cases: &[(&[u8], i32)] = &[
        (b"21", -973932308),
        (b"foobar", -790332482),
        (b"a-little-bit-long-string", -985981536),
        (b"a-little-bit-longer-string", -1486304829),
        (
            b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
            -58897971,
        ),
        (b"abc", 479470107),
    ];
    for (key, want) in cases {
        assert_eq!(
            murmur2(key),
            *want,
            "murmur2({:?})",
            String::from_utf8_lossy(key)
        );
    }
}

/// Vectors librdkafka checks against the Java client (`java_murmur2_results`),
/// which cover every tail length (0–3 leftover bytes) and the empty key.
#[test]
fn murmur2_matches_java_client_vectors_from_librdkafka() {
    let cases: &[(&str, u32)] = &[
        ("kafka", 0xd067cf64),
        ("giberish123456789", 0x8f552b0c),
        ("1234", 0x9fc97b14),
        ("234", 0xe7c009ca),
        ("34", 0x873930da),
        ("4", 0x5a4b5ca1),
        ("PreAmbleWillBeRemoved,ThePrePartThatIs", 0x78424f1c),
        ("reAmbleWillBeRemoved,ThePrePartThatIs", 0x4a62b377),
        ("eAmbleWillBeRemoved,ThePrePartThatIs", 0xe0e4e09e),
        ("AmbleWillBeRemoved,ThePrePartThatIs", 0x62b8b43f),
        ("", 0x106e08d9),
    ];
    for (key, want) in cases {
        assert_eq!(murmur2(key.as_bytes()) as u32, *want, "murmur2({key:?})");
    }
}

#[test]
fn to_positive_clears_only_the_sign_bit() {
    assert_eq!(to_positive(-1), 0x7fff_ffff);
    assert_eq!(to_positive(i32::MIN), 0);
    assert_eq!(to_positive(5), 5);
    assert_eq!(to_positive(-973932308), -973932308 & 0x7fff_ffff);
}

/// Placements a real broker acknowledged for a 3-partition topic (a published
/// check of the Java producer's default partitioner).
#[test]
fn customer_keys_land_where_a_real_cluster_put_them() {
    let cases = [
        ("alice", 0),
        ("sam", 1),
        ("leo", 2),
        ("maria", 0),
        ("omar", 1),
        ("yuki", 0),
    ];
    for (key, want) in cases {
        assert_eq!(partition_for_key(key.as_bytes(), 3), want, "key {key}");
    }
}

/// A second, independent transcription of Java's `Utils.murmur2` written with
/// signed 32-bit arithmetic and `>>>` as unsigned shifts, the way the Java source reads.
fn java_style_murmur2(data: &[u8]) -> i32 {
    let length = data.len() as i32;
    let seed: i32 = 0x9747b28c_u32 as i32;
    let m: i32 = 0x5bd1e995;
    let r = 24;
    let mut h: i32 = seed ^ length;
    let length4 = length / 4;
    let ushr = |x: i32, n: u32| ((x as u32) >> n) as i32;
    for i in 0..length4 {
        let i4 = (i * 4) as usize;
        let mut k: i32 = (data[i4] as i32 & 0xff)
            + ((data[i4 + 1] as i32 & 0xff) << 8)
            + ((data[i4 + 2] as i32 & 0xff) << 16)
            + ((data[i4 + 3] as i32 & 0xff) << 24);
        k = k.wrapping_mul(m);
        k ^= ushr(k, r);
        k = k.wrapping_mul(m);
        h = h.wrapping_mul(m);
        h ^= k;
    }
    let base = (length & !3) as usize;
    let rem = length % 4;
    if rem == 3 {
        h ^= (data[base + 2] as i32 & 0xff) << 16;
    }
    if rem >= 2 {
        h ^= (data[base + 1] as i32 & 0xff) << 8;
    }
    if rem >= 1 {
        h ^= data[base] as i32 & 0xff;
        h = h.wrapping_mul(m);
    }
    h ^= ushr(h, 13);
    h = h.wrapping_mul(m);
    h ^= ushr(h, 15);
    h
}

#[test]
fn partition_choice_agrees_with_java_transcription_for_many_keys_and_counts() {
    let mut keys: Vec<Vec<u8>> = (0..1500).map(|i| format!("key-{i}").into_bytes()).collect();
    keys.extend((0..=255u8).map(|b| vec![b, b.wrapping_mul(7), 0xff]));
    keys.push(Vec::new());
    for key in &keys {
        let h = java_style_murmur2(key);
        assert_eq!(murmur2(key), h, "hash of {key:?}");
        for n in 1..=64u32 {
            let want = ((h & 0x7fffffff) % n as i32) as u32;
            assert_eq!(
                partition_for_key(key, n),
                want,
                "key {key:?} with {n} partitions"
            );
        }
    }
}

#[test]
fn keys_spread_over_partitions() {
    let mut counts = [0u32; 6];
    for i in 0..6000 {
        counts[partition_for_key(format!("user-{i}").as_bytes(), 6) as usize] += 1;
    }
    for c in counts {
        assert!((800..1200).contains(&c), "uneven spread: {counts:?}");
    }
}
