// Kafka's murmur2 hash and default partitioner, ported from
// org.apache.kafka.common.utils.Utils#murmur2 / #toPositive.
// Java int arithmetic is emulated with Math.imul and `| 0`.

/** murmur2 of a byte array, as a signed 32-bit integer (like Java's int). */
export function murmur2(bytes) {
  const length = bytes.length;
  const seed = 0x9747b28c;
  const m = 0x5bd1e995;
  const r = 24;

  let h = (seed ^ length) | 0;
  const length4 = Math.floor(length / 4);
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k =
      (bytes[i4] & 0xff) |
      ((bytes[i4 + 1] & 0xff) << 8) |
      ((bytes[i4 + 2] & 0xff) << 16) |
      ((bytes[i4 + 3] & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }

  const tail = length & ~3;
  switch (length % 4) {
    case 3:
      h ^= (bytes[tail + 2] & 0xff) << 16;
    // falls through
    case 2:
      h ^= (bytes[tail + 1] & 0xff) << 8;
    // falls through
    case 1:
      h ^= bytes[tail] & 0xff;
      h = Math.imul(h, m);
  }

  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** murmur2 of the UTF-8 bytes of a string. */
export function murmur2String(s) {
  return murmur2(new TextEncoder().encode(s));
}

/** Kafka's default partition for a keyed record: toPositive(murmur2(key)) % numPartitions. */
export function partitionForKey(key, numPartitions) {
  return (murmur2String(key) & 0x7fffffff) % numPartitions;
}

/** Test vectors published in Kafka's UtilsTest#testMurmur2. */
export const KAFKA_MURMUR2_VECTORS = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];
