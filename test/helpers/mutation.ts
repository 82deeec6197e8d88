/**
 * \summary The byte-flip mutation property the decoder property tests share: take a real input
 * from a corpus, overwrite 1 to 8 of its bytes at random positions, and run the decoder's own
 * checked decode (which asserts it does not throw and stays within its limits) under random
 * limits. Same seed and run count as each caller passes.
 */
import fc from 'fast-check';

/** Byte positions and values to overwrite; positions are taken modulo the input's length. */
export const FLIPS_ARB = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 });

/** A copy of `input` with `flips` applied. */
export function flipped(input: Uint8Array, flips: readonly (readonly [number, number])[]): Uint8Array {
  const bytes = Uint8Array.from(input);
  for (const [at, value] of flips) bytes[at % bytes.length] = value;
  return bytes;
}

/** Asserts `check` holds for every byte-flipped corpus input under every generated limit set. */
export function assertByteFlips<L>(
  corpus: readonly Uint8Array[],
  limitsArb: fc.Arbitrary<L>,
  check: (bytes: Uint8Array, limits: L) => void,
  runs: { seed: number; numRuns: number },
): void {
  fc.assert(
    fc.property(fc.tuple(fc.nat(), FLIPS_ARB, limitsArb), ([i, flips, limits]) => {
      check(flipped(corpus[i % corpus.length] as Uint8Array, flips), limits);
    }),
    runs,
  );
}
