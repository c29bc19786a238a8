//! Decimal text to `f64` with exactly the grammar and result of
//! `str::parse::<f64>`, without linking core's decimal-to-float tables into
//! the page.
//!
//! Core's correctly rounded parser carries a 10 KB table of powers of five:
//! random-looking bytes that gzip cannot shrink (about 12 KB gzip of the page
//! with its code). In the browser the grammar is checked here and the
//! conversion is left to JavaScript's `Number`, which rounds correctly too;
//! natively `str::parse` is used as before.

/// Whether `s` is a float as `str::parse::<f64>` reads it:
/// `[+-]? (inf | infinity | nan | Number)` (the words in any case), where
/// `Number = (Digit+ | Digit+ '.' Digit* | Digit* '.' Digit+) ([eE] [+-]? Digit+)?`.
pub fn is_float_text(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if ["inf", "infinity", "nan"]
        .iter()
        .any(|w| body.eq_ignore_ascii_case(w))
    {
        return true;
    }
    let b = body.as_bytes();
    let digits = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let int_end = digits(0);
    let mut i = int_end;
    let mut mantissa_digits = int_end;
    if i < b.len() && b[i] == b'.' {
        let frac_end = digits(i + 1);
        mantissa_digits += frac_end - (i + 1);
        i = frac_end;
    }
    if mantissa_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let exp_end = digits(i);
        if exp_end == i {
            return false;
        }
        i = exp_end;
    }
    i == b.len()
}

/// `s.parse::<f64>().ok()`.
pub fn parse_f64(s: &str) -> Option<f64> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        s.parse().ok()
    }
    #[cfg(target_arch = "wasm32")]
    {
        if !is_float_text(s) {
            return None;
        }
        let negative = s.starts_with('-');
        let body = s.strip_prefix(['+', '-']).unwrap_or(s);
        let magnitude = match body.as_bytes()[0] {
            b'i' | b'I' => f64::INFINITY,
            b'n' | b'N' => f64::NAN,
            // JavaScript's Number reads every remaining form the same way
            // ("1.", ".5", "1e5", leading zeros) and rounds to nearest, ties to even.
            _ => js::number(body),
        };
        Some(if negative { -magnitude } else { magnitude })
    }
}

#[cfg(target_arch = "wasm32")]
mod js {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// JavaScript's `Number(text)`.
        #[wasm_bindgen(js_name = Number)]
        pub fn number(text: &str) -> f64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar_is_the_standard_librarys() {
        let samples = [
            "",
            "+",
            "-",
            ".",
            "e",
            "e5",
            "1",
            "-1",
            "+1",
            "01",
            "1.",
            ".5",
            "-.5",
            "+.e1",
            "1.e1",
            "1e",
            "1e+",
            "1e-",
            "1e+5",
            "1E-5",
            "1.5e10",
            " 1",
            "1 ",
            "1_0",
            "0x10",
            "inf",
            "-inf",
            "+Infinity",
            "INFINITY",
            "infinit",
            "infinityy",
            "NaN",
            "-nan",
            "nan1",
            "1..2",
            "1.2.3",
            "1e5.5",
            "--1",
            "+-1",
            "١",
            "1e1000",
            "1e-1000",
            "179769313486231580793728971405301e276",
            "2.2250738585072011e-308",
            "0.1000000000000000055511151231257827021181583404541015625",
        ];
        for s in samples {
            assert_eq!(is_float_text(s), s.parse::<f64>().is_ok(), "{s:?}");
        }
        // Every short string over the grammar's alphabet.
        let alphabet = ["", "0", "7", ".", "e", "E", "+", "-", "n", "a", "i", "f"];
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    for d in alphabet {
                        let s = format!("{a}{b}{c}{d}");
                        assert_eq!(is_float_text(&s), s.parse::<f64>().is_ok(), "{s:?}");
                    }
                }
            }
        }
    }
}
