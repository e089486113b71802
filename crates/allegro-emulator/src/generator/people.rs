//! Polish people and places: first names, surnames (with their feminine forms), cities,
//! streets, shop words, and NIPs with valid checksums.

use super::*;

pub(super) const MALE: &[&str] = &[
    "Jan",
    "Piotr",
    "Krzysztof",
    "Tomasz",
    "Paweł",
    "Michał",
    "Marcin",
    "Łukasz",
    "Grzegorz",
    "Jakub",
    "Mateusz",
    "Wojciech",
];
pub(super) const FEMALE: &[&str] = &[
    "Anna",
    "Katarzyna",
    "Małgorzata",
    "Agnieszka",
    "Joanna",
    "Magdalena",
    "Ewa",
    "Zofia",
    "Aleksandra",
    "Natalia",
    "Dorota",
    "Żaneta",
];
pub(super) const SURNAMES: &[(&str, &str)] = &[
    ("Nowak", "Nowak"),
    ("Kowalski", "Kowalska"),
    ("Wiśniewski", "Wiśniewska"),
    ("Wójcik", "Wójcik"),
    ("Kowalczyk", "Kowalczyk"),
    ("Kamiński", "Kamińska"),
    ("Lewandowski", "Lewandowska"),
    ("Zieliński", "Zielińska"),
    ("Szymański", "Szymańska"),
    ("Woźniak", "Woźniak"),
    ("Dąbrowski", "Dąbrowska"),
    ("Kozłowski", "Kozłowska"),
    ("Jankowski", "Jankowska"),
    ("Mazur", "Mazur"),
    ("Krawczyk", "Krawczyk"),
    ("Grabowski", "Grabowska"),
    ("Pawłowski", "Pawłowska"),
    ("Michalski", "Michalska"),
    ("Żółkiewski", "Żółkiewska"),
    ("Ślązak", "Ślązak"),
];
pub(super) const CITIES: &[(&str, &str, &str)] = &[
    ("Warszawa", "00-", "WAW"),
    ("Kraków", "30-", "KRA"),
    ("Łódź", "90-", "LOD"),
    ("Wrocław", "50-", "WRO"),
    ("Poznań", "60-", "POZ"),
    ("Gdańsk", "80-", "GDA"),
    ("Szczecin", "70-", "SZC"),
    ("Bydgoszcz", "85-", "BYD"),
    ("Lublin", "20-", "LUB"),
    ("Białystok", "15-", "BIA"),
    ("Katowice", "40-", "KAT"),
    ("Gdynia", "81-", "GDY"),
    ("Częstochowa", "42-", "CZE"),
    ("Radom", "26-", "RAD"),
    ("Toruń", "87-", "TOR"),
    ("Rzeszów", "35-", "RZE"),
];
pub(super) const STREETS: &[&str] = &[
    "Marszałkowska",
    "Długa",
    "Polna",
    "Leśna",
    "Słoneczna",
    "Krótka",
    "Szkolna",
    "Ogrodowa",
    "Lipowa",
    "Brzozowa",
    "Łąkowa",
    "Kwiatowa",
    "Źródlana",
    "Grunwaldzka",
    "Piłsudskiego",
    "Mickiewicza",
    "Kościuszki",
];
pub(super) const SHOP_WORDS: &[&str] = &[
    "Handel",
    "Hurtownia",
    "Sklep",
    "Pracownia",
    "Studio",
    "Serwis",
    "Trans",
    "Dom",
];

/// A Polish first and last name.
pub fn person_name(rng: &mut impl Rng) -> (String, String) {
    let (m, f) = SURNAMES[rng.random_range(0..SURNAMES.len())];
    if rng.random_bool(0.5) {
        (MALE[rng.random_range(0..MALE.len())].into(), m.into())
    } else {
        (FEMALE[rng.random_range(0..FEMALE.len())].into(), f.into())
    }
}

/// A word for a company name.
pub fn shop_word(rng: &mut impl Rng) -> &'static str {
    SHOP_WORDS[rng.random_range(0..SHOP_WORDS.len())]
}

/// A random NIP with a valid checksum (weights 6,5,7,2,3,4,5,6,7; mod 11, never 10).
pub fn nip(rng: &mut impl Rng) -> String {
    loop {
        let mut d = [0u32; 10];
        d[0] = rng.random_range(1..10);
        for x in d.iter_mut().take(9).skip(1) {
            *x = rng.random_range(0..10);
        }
        let sum: u32 = [6, 5, 7, 2, 3, 4, 5, 6, 7]
            .iter()
            .zip(d.iter())
            .map(|(w, x)| w * x)
            .sum();
        // No check digit 10 is issued, and no tax office's code is d00.
        if sum % 11 == 10 || (d[1] == 0 && d[2] == 0) {
            continue;
        }
        d[9] = sum % 11;
        return d.iter().map(|x| char::from_digit(*x, 10).unwrap_or('0')).collect();
    }
}

/// Whether `nip` (digits only) has a valid checksum.
pub fn nip_is_valid(nip: &str) -> bool {
    let d: Vec<u32> = nip.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 10 || nip.chars().any(|c| !c.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = [6, 5, 7, 2, 3, 4, 5, 6, 7]
        .iter()
        .zip(d.iter())
        .map(|(w, x)| w * x)
        .sum();
    sum % 11 == d[9]
}

pub(super) fn format_nip_dashed(nip: &str) -> String {
    format!("{}-{}-{}-{}", &nip[0..3], &nip[3..6], &nip[6..8], &nip[8..10])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_nips_are_valid_and_checksum_rejects_typos() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..500 {
            let n = nip(&mut rng);
            assert!(nip_is_valid(&n), "{n}");
            let mut typo: Vec<char> = n.chars().collect();
            typo[3] = if typo[3] == '1' { '2' } else { '1' };
            assert!(!nip_is_valid(&typo.iter().collect::<String>()));
        }
        assert!(nip_is_valid("5252674798"), "Allegro's own NIP from the spec example");
    }
}
