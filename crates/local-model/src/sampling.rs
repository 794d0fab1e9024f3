//! Choosing the next token: greedy at temperature 0, else temperature,
//! top-k and top-p sampling from a seeded generator; a repeat penalty over
//! recent tokens (llama.cpp's: positive logits divided, negative multiplied).

/// Sampling settings of one generation.
#[derive(Clone, Debug, PartialEq)]
pub struct Sampling {
    pub temperature: f32,
    pub top_k: usize,
    pub top_p: f32,
    pub seed: u64,
    pub repeat_penalty: f32,
    /// How many recent tokens the repeat penalty looks at.
    pub repeat_last_n: usize,
}

impl Default for Sampling {
    fn default() -> Self {
        Self {
            temperature: 0.7,
            top_k: 40,
            top_p: 0.9,
            seed: 0x5eed,
            repeat_penalty: 1.1,
            repeat_last_n: 64,
        }
    }
}

/// SplitMix64: small, fast, and the same sequence on every platform.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A float in [0, 1).
    pub fn next_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// Apply the repeat penalty to `logits` for every token in `recent`.
pub fn penalize(logits: &mut [f32], recent: &[u32], penalty: f32) {
    if penalty == 1.0 {
        return;
    }
    let mut seen = std::collections::HashSet::new();
    for &id in recent {
        if !seen.insert(id) {
            continue;
        }
        if let Some(logit) = logits.get_mut(id as usize) {
            *logit = if *logit > 0.0 {
                *logit / penalty
            } else {
                *logit * penalty
            };
        }
    }
}

/// The index of the largest logit.
pub fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0usize;
    let mut best_value = f32::NEG_INFINITY;
    for (i, &v) in logits.iter().enumerate() {
        if v > best_value {
            best_value = v;
            best = i;
        }
    }
    best as u32
}

/// Pick the next token from `logits` (already penalised).
pub fn sample(logits: &[f32], settings: &Sampling, rng: &mut Rng) -> u32 {
    if settings.temperature <= 0.0 {
        return argmax(logits);
    }
    // Candidates: top-k by logit (all when top_k is 0).
    let mut candidates: Vec<(u32, f32)> = logits
        .iter()
        .enumerate()
        .map(|(i, &l)| (i as u32, l))
        .collect();
    let k = if settings.top_k == 0 {
        candidates.len()
    } else {
        settings.top_k.min(candidates.len())
    };
    if k < candidates.len() {
        candidates.select_nth_unstable_by(k, |a, b| b.1.total_cmp(&a.1));
        candidates.truncate(k);
    }
    candidates.sort_by(|a, b| b.1.total_cmp(&a.1));
    let max = candidates.first().map(|c| c.1).unwrap_or(0.0);
    let mut probs: Vec<f32> = candidates
        .iter()
        .map(|(_, l)| ((l - max) / settings.temperature).exp())
        .collect();
    let total: f32 = probs.iter().sum();
    for p in probs.iter_mut() {
        *p /= total;
    }
    // Top-p: the smallest prefix whose mass reaches top_p.
    let mut keep = probs.len();
    if settings.top_p < 1.0 {
        let mut mass = 0.0;
        for (i, p) in probs.iter().enumerate() {
            mass += p;
            if mass >= settings.top_p {
                keep = i + 1;
                break;
            }
        }
    }
    let mass: f32 = probs.iter().take(keep).sum();
    let mut target = rng.next_f32() * mass;
    for (i, p) in probs.iter().take(keep).enumerate() {
        target -= p;
        if target <= 0.0 {
            return candidates.get(i).map(|c| c.0).unwrap_or(0);
        }
    }
    candidates.first().map(|c| c.0).unwrap_or(0)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn greedy_at_temperature_zero() {
        let settings = Sampling {
            temperature: 0.0,
            ..Sampling::default()
        };
        assert_eq!(sample(&[0.1, 2.0, 1.0], &settings, &mut Rng::new(1)), 1);
    }

    #[test]
    fn seeded_sampling_repeats() {
        let logits: Vec<f32> = (0..100).map(|i| (i as f32 * 0.37).sin()).collect();
        let settings = Sampling {
            temperature: 1.0,
            top_k: 0,
            top_p: 1.0,
            ..Sampling::default()
        };
        let a: Vec<u32> = {
            let mut rng = Rng::new(42);
            (0..20)
                .map(|_| sample(&logits, &settings, &mut rng))
                .collect()
        };
        let b: Vec<u32> = {
            let mut rng = Rng::new(42);
            (0..20)
                .map(|_| sample(&logits, &settings, &mut rng))
                .collect()
        };
        assert_eq!(a, b);
        assert!(a.iter().collect::<std::collections::HashSet<_>>().len() > 1);
    }

    #[test]
    fn top_k_one_is_greedy() {
        let settings = Sampling {
            temperature: 1.0,
            top_k: 1,
            ..Sampling::default()
        };
        assert_eq!(sample(&[0.1, 2.0, 1.0], &settings, &mut Rng::new(3)), 1);
    }

    #[test]
    fn repeat_penalty_lowers_seen_tokens() {
        let mut logits = vec![2.0, -2.0, 1.0];
        penalize(&mut logits, &[0, 1, 0], 2.0);
        assert_eq!(logits, vec![1.0, -4.0, 1.0]);
    }
}
