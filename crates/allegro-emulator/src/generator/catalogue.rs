//! What the generated sellers sell and how it travels: the catalogue, delivery methods and
//! the foreign marketplaces with their currencies.

/// (name, VAT rate, price in grosze, category id)
pub(super) const CATALOGUE: &[(&str, &str, i64, &str)] = &[
    ("Słuchawki bezprzewodowe douszne BT 5.3", "23.00", 12_999, "66887"),
    ("Kubek termiczny stalowy 450 ml", "23.00", 4_990, "258819"),
    ("Ładowarka sieciowa USB-C 65 W GaN", "23.00", 8_900, "67444"),
    ("Plecak miejski wodoodporny 25 l", "23.00", 15_900, "257951"),
    ("Lampka biurkowa LED z regulacją barwy", "23.00", 7_450, "255052"),
    ("Zestaw śrubokrętów precyzyjnych 32 el.", "23.00", 3_999, "147583"),
    ("Kabel HDMI 2.1 8K 2 m", "23.00", 2_990, "4554"),
    ("Bluza z kapturem bawełniana – granat", "23.00", 11_900, "1454"),
    ("Etui silikonowe do telefonu – czarne", "23.00", 1_999, "19580"),
    ("Żarówka LED E27 10 W ciepła biel, 4 szt.", "23.00", 2_450, "255059"),
    ("Plastry opatrunkowe wodoodporne 100 szt.", "8.00", 1_590, "121442"),
    ("Maseczki ochronne FFP2, 20 szt.", "8.00", 2_990, "121444"),
    ("Nasiona trawy sportowej 5 kg", "8.00", 8_990, "259433"),
    ("Test ciążowy płytkowy, 2 szt.", "8.00", 1_299, "121467"),
    ("Miód wielokwiatowy nektarowy 1,2 kg", "5.00", 4_500, "261036"),
    ("Mąka orkiszowa typ 700, 1 kg", "5.00", 890, "261005"),
    ("Pieluszki jednorazowe rozmiar 4, 46 szt.", "5.00", 5_499, "261165"),
    ("Książka – Bolesław Prus, „Lalka”", "5.00", 3_490, "66778"),
    ("Książka kucharska – Kuchnia polska", "5.00", 5_990, "66779"),
];
pub(super) const DELIVERY: &[(&str, &str, i64, bool)] = &[
    (
        "2488f7b7-5d1c-4d65-b85c-4cbcf253fd93",
        "Allegro Paczkomaty InPost",
        999,
        true,
    ),
    (
        "b20ef9e1-faa2-4f25-9032-adbea23e5cb9",
        "Allegro Kurier24 InPost",
        1_499,
        false,
    ),
    (
        "7203cb90-864c-4cda-bf08-dc883f0c78ad",
        "Allegro Kurier DPD",
        1_399,
        false,
    ),
    (
        "98f86f81-0018-41c5-ac83-073a56fc7021",
        "Allegro One Box, DPD",
        899,
        true,
    ),
    (
        "c3066682-97a3-42fe-9eb5-3beeccab840c",
        "Allegro Odbiór w Punkcie Orlen Paczka",
        849,
        true,
    ),
    (
        "845efe05-0c96-47ba-a49a-4ef3d5e6a9f5",
        "Poczta Polska Kurier48",
        1_690,
        false,
    ),
];
pub(super) const FOREIGN: &[(&str, &str, i64, i64, &str)] = &[
    // (marketplace, currency, numerator, denominator (PLN → currency), delivery method)
    ("allegro-cz", "CZK", 58, 10, "Allegro Delivery CZ – kurýr"),
    ("allegro-sk", "EUR", 10, 43, "Allegro Delivery SK – kuriér"),
    ("allegro-hu", "HUF", 90, 1, "Allegro Delivery HU – futár"),
];
