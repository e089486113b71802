//! Amounts in words for invoices ("słownie"), in Polish with correct declension.

use crate::Minor;

const UNITS: [&str; 10] = [
    "",
    "jeden",
    "dwa",
    "trzy",
    "cztery",
    "pięć",
    "sześć",
    "siedem",
    "osiem",
    "dziewięć",
];
const TEENS: [&str; 10] = [
    "dziesięć",
    "jedenaście",
    "dwanaście",
    "trzynaście",
    "czternaście",
    "piętnaście",
    "szesnaście",
    "siedemnaście",
    "osiemnaście",
    "dziewiętnaście",
];
const TENS: [&str; 10] = [
    "",
    "",
    "dwadzieścia",
    "trzydzieści",
    "czterdzieści",
    "pięćdziesiąt",
    "sześćdziesiąt",
    "siedemdziesiąt",
    "osiemdziesiąt",
    "dziewięćdziesiąt",
];
const HUNDREDS: [&str; 10] = [
    "",
    "sto",
    "dwieście",
    "trzysta",
    "czterysta",
    "pięćset",
    "sześćset",
    "siedemset",
    "osiemset",
    "dziewięćset",
];
/// (singular, plural 2–4, plural 5+) of thousand, million, billion, trillion.
const GROUPS: [[&str; 3]; 4] = [
    ["tysiąc", "tysiące", "tysięcy"],
    ["milion", "miliony", "milionów"],
    ["miliard", "miliardy", "miliardów"],
    ["bilion", "biliony", "bilionów"],
];

/// The form of a noun after `n`: 1 → singular; ending in 2–4 (but not 12–14) → the 2–4
/// plural; otherwise the genitive plural ("jeden złoty, dwa złote, pięć złotych").
pub fn polish_plural(n: u64, forms: [&str; 3]) -> &str {
    if n == 1 {
        forms[0]
    } else if (2..=4).contains(&(n % 10)) && !(12..=14).contains(&(n % 100)) {
        forms[1]
    } else {
        forms[2]
    }
}

fn below_thousand(n: u64, out: &mut Vec<&'static str>) {
    let (h, rest) = ((n / 100) as usize, n % 100);
    if h > 0 {
        out.push(HUNDREDS[h]);
    }
    if (10..20).contains(&rest) {
        out.push(TEENS[(rest - 10) as usize]);
    } else {
        if rest >= 20 {
            out.push(TENS[(rest / 10) as usize]);
        }
        if rest % 10 > 0 {
            out.push(UNITS[(rest % 10) as usize]);
        }
    }
}

/// A whole number in Polish words ("sto czterdzieści cztery", "tysiąc", "dwa miliony").
pub fn number_in_words_pl(n: u64) -> String {
    if n == 0 {
        return "zero".to_owned();
    }
    let mut groups = Vec::new();
    let mut rest = n;
    while rest > 0 {
        groups.push(rest % 1000);
        rest /= 1000;
    }
    let mut out: Vec<&'static str> = Vec::new();
    for (i, g) in groups.iter().enumerate().rev() {
        if *g == 0 {
            continue;
        }
        if i == 0 {
            below_thousand(*g, &mut out);
        } else {
            // "tysiąc", not "jeden tysiąc".
            if *g != 1 {
                below_thousand(*g, &mut out);
            }
            out.push(polish_plural(*g, GROUPS[(i - 1).min(GROUPS.len() - 1)]));
        }
    }
    out.join(" ")
}

/// An invoice's amount in words, as Polish invoices print it: "sto czterdzieści cztery
/// złote 87/100" (other currencies by their code: "… EUR 87/100").
pub fn amount_in_words_pl(minor: Minor, currency: &str) -> String {
    let sign = if minor < 0 { "minus " } else { "" };
    let abs = minor.unsigned_abs();
    let (whole, cents) = (abs / 100, abs % 100);
    let unit = if currency.eq_ignore_ascii_case("PLN") {
        polish_plural(whole, ["złoty", "złote", "złotych"]).to_owned()
    } else {
        currency.to_uppercase()
    };
    format!("{sign}{} {unit} {cents:02}/100", number_in_words_pl(whole))
}

/// A number in English words ("one hundred forty-four"), for English invoices.
pub fn number_in_words_en(n: u64) -> String {
    const ONES: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = [
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    const GROUPS: [&str; 6] = ["", " thousand", " million", " billion", " trillion", " quadrillion"];
    fn below_thousand(n: u64) -> String {
        let mut words = Vec::new();
        if n >= 100 {
            words.push(format!("{} hundred", ONES[(n / 100) as usize]));
        }
        let rest = n % 100;
        if rest >= 20 {
            let tens = TENS[(rest / 10) as usize];
            words.push(if rest.is_multiple_of(10) {
                tens.to_owned()
            } else {
                format!("{tens}-{}", ONES[(rest % 10) as usize])
            });
        } else if rest > 0 {
            words.push(ONES[rest as usize].to_owned());
        }
        words.join(" ")
    }
    if n == 0 {
        return ONES[0].to_owned();
    }
    let mut groups = Vec::new();
    let mut rest = n;
    while rest > 0 {
        groups.push(rest % 1000);
        rest /= 1000;
    }
    let mut out = Vec::new();
    for (i, g) in groups.iter().enumerate().rev() {
        if *g != 0 {
            out.push(format!("{}{}", below_thousand(*g), GROUPS[i.min(GROUPS.len() - 1)]));
        }
    }
    out.join(" ")
}

/// An amount in English words with the currency code: "one hundred forty-four PLN 87/100".
pub fn amount_in_words_en(minor: Minor, currency: &str) -> String {
    let sign = if minor < 0 { "minus " } else { "" };
    let abs = minor.unsigned_abs();
    format!(
        "{sign}{} {} {:02}/100",
        number_in_words_en(abs / 100),
        currency.to_uppercase(),
        abs % 100
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polish_words_and_declension() {
        for (n, words) in [
            (0, "zero"),
            (1, "jeden"),
            (12, "dwanaście"),
            (21, "dwadzieścia jeden"),
            (144, "sto czterdzieści cztery"),
            (1_000, "tysiąc"),
            (1_001, "tysiąc jeden"),
            (2_000, "dwa tysiące"),
            (5_000, "pięć tysięcy"),
            (12_000, "dwanaście tysięcy"),
            (22_345, "dwadzieścia dwa tysiące trzysta czterdzieści pięć"),
            (1_000_000, "milion"),
            (2_005_001, "dwa miliony pięć tysięcy jeden"),
            (
                999_999_999,
                "dziewięćset dziewięćdziesiąt dziewięć milionów dziewięćset dziewięćdziesiąt dziewięć tysięcy dziewięćset dziewięćdziesiąt dziewięć",
            ),
        ] {
            assert_eq!(number_in_words_pl(n), words, "{n}");
        }
        assert_eq!(amount_in_words_pl(14487, "PLN"), "sto czterdzieści cztery złote 87/100");
        assert_eq!(amount_in_words_pl(100, "PLN"), "jeden złoty 00/100");
        assert_eq!(amount_in_words_pl(1205, "PLN"), "dwanaście złotych 05/100");
        assert_eq!(amount_in_words_pl(2200, "PLN"), "dwadzieścia dwa złote 00/100");
        assert_eq!(amount_in_words_pl(2100, "PLN"), "dwadzieścia jeden złotych 00/100");
        assert_eq!(
            amount_in_words_pl(-4990, "EUR"),
            "minus czterdzieści dziewięć EUR 90/100"
        );
    }

    #[test]
    fn english_words() {
        for (n, words) in [
            (0, "zero"),
            (15, "fifteen"),
            (40, "forty"),
            (144, "one hundred forty-four"),
            (1_000, "one thousand"),
            (2_005_001, "two million five thousand one"),
            (999_999, "nine hundred ninety-nine thousand nine hundred ninety-nine"),
        ] {
            assert_eq!(number_in_words_en(n), words, "{n}");
        }
        assert_eq!(amount_in_words_en(14487, "pln"), "one hundred forty-four PLN 87/100");
        assert_eq!(amount_in_words_en(-5, "EUR"), "minus zero EUR 05/100");
    }
}
