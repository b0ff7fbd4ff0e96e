//! Realistic Swedish test data for the simulators: first names, surnames,
//! streets, cities with their postcodes, phone numbers, personal identity
//! numbers (with a valid check digit), e-mail addresses on example domains,
//! and the portal's "Kalle Testsson" style test customers. Pure functions of
//! an RNG: the same seed gives the same people. No I/O; any simulator may use
//! it. The data is invented; the e-mail domains are reserved or made up.

use rand::Rng;

pub const FIRST_NAMES: &[&str] = &[
    "Anna",
    "Eva",
    "Maria",
    "Karin",
    "Sara",
    "Christina",
    "Lena",
    "Emma",
    "Kerstin",
    "Ingrid",
    "Marie",
    "Malin",
    "Jenny",
    "Hanna",
    "Linnéa",
    "Elin",
    "Ida",
    "Sofia",
    "Johanna",
    "Maja",
    "Astrid",
    "Ebba",
    "Alice",
    "Wilma",
    "Åsa",
    "Märta",
    "Birgitta",
    "Ulla",
    "Agneta",
    "Frida",
    "Lars",
    "Mikael",
    "Anders",
    "Johan",
    "Erik",
    "Per",
    "Karl",
    "Peter",
    "Thomas",
    "Jan",
    "Daniel",
    "Fredrik",
    "Hans",
    "Bengt",
    "Mats",
    "Magnus",
    "Stefan",
    "Nils",
    "Oskar",
    "Gustav",
    "Björn",
    "Göran",
    "Sven",
    "Olof",
    "Åke",
    "Jörgen",
    "Linus",
    "Elias",
    "Hugo",
    "Måns",
];

pub const SURNAMES: &[&str] = &[
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Jansson",
    "Hansson",
    "Bengtsson",
    "Jönsson",
    "Lindberg",
    "Jakobsson",
    "Magnusson",
    "Olofsson",
    "Lindström",
    "Lindqvist",
    "Lindgren",
    "Berg",
    "Axelsson",
    "Bergström",
    "Lundberg",
    "Lind",
    "Lundgren",
    "Lundqvist",
    "Mattsson",
    "Berglund",
    "Fredriksson",
    "Sandberg",
    "Henriksson",
    "Forsberg",
    "Sjöberg",
    "Wallin",
    "Engström",
    "Eklund",
    "Danielsson",
    "Håkansson",
    "Lundin",
    "Björk",
    "Bergman",
    "Gunnarsson",
    "Holm",
    "Wikström",
    "Samuelsson",
    "Isaksson",
    "Fransson",
    "Bergqvist",
    "Nyström",
    "Holmberg",
    "Arvidsson",
    "Löfgren",
    "Söderberg",
    "Nyberg",
    "Blomqvist",
    "Åberg",
];

pub const STREETS: &[&str] = &[
    "Storgatan",
    "Drottninggatan",
    "Kungsgatan",
    "Vasagatan",
    "Götgatan",
    "Sveavägen",
    "Skolgatan",
    "Järnvägsgatan",
    "Kyrkogatan",
    "Nygatan",
    "Trädgårdsgatan",
    "Parkvägen",
    "Björkvägen",
    "Ekvägen",
    "Granvägen",
    "Tallvägen",
    "Lönnvägen",
    "Almvägen",
    "Rönnvägen",
    "Södra Vägen",
    "Norra Allén",
    "Östra Långgatan",
    "Västra Hamngatan",
    "Strandvägen",
    "Industrigatan",
    "Ängsvägen",
    "Solvägen",
    "Bäckvägen",
    "Åkervägen",
    "Skogsstigen",
    "Hantverkargatan",
    "Fabriksgatan",
    "Stationsvägen",
    "Prästgårdsvägen",
    "Kvarngatan",
];

/// City and the first three digits of its postcodes.
pub const CITIES: &[(&str, u16)] = &[
    ("Stockholm", 113),
    ("Göteborg", 413),
    ("Malmö", 211),
    ("Uppsala", 753),
    ("Västerås", 722),
    ("Örebro", 702),
    ("Linköping", 582),
    ("Helsingborg", 252),
    ("Jönköping", 553),
    ("Norrköping", 602),
    ("Lund", 222),
    ("Umeå", 903),
    ("Gävle", 802),
    ("Borås", 503),
    ("Södertälje", 151),
    ("Eskilstuna", 632),
    ("Halmstad", 302),
    ("Växjö", 352),
    ("Karlstad", 652),
    ("Sundsvall", 852),
    ("Östersund", 831),
    ("Luleå", 972),
    ("Skövde", 541),
    ("Kalmar", 392),
    ("Falun", 791),
    ("Visby", 621),
    ("Kiruna", 981),
    ("Ystad", 271),
];

/// The portal's kind of test customers ("Kalle Testsson").
pub const TEST_FIRST_NAMES: &[&str] = &["Kalle", "Lisa", "Nisse", "Stina", "Pelle"];
pub const TEST_SURNAMES: &[&str] = &["Testsson", "Provsson", "Exempelsson", "Demosson"];

const EMAIL_DOMAINS: &[&str] = &["example.se", "exempel.se", "test.se", "example.com"];

/// One element of a non-empty constant list.
pub fn pick<'a, T, R: Rng + ?Sized>(rng: &mut R, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A generated person and home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub firstname: String,
    pub surname: String,
    /// Personal identity number, 12 digits (`YYYYMMDDNNNC`).
    pub serial: String,
    pub email: String,
    /// Mobile number written as the portal does (`0703051947`).
    pub phone: String,
    pub address: String,
    /// Postcode as written in addresses (`113 51`).
    pub zip: String,
    pub city: String,
}

impl Person {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.firstname, self.surname)
    }
}

/// A realistic person; about `test_share` of them are "Kalle Testsson"s.
pub fn person<R: Rng + ?Sized>(rng: &mut R, test_share: f64) -> Person {
    let test = rng.random_bool(test_share.clamp(0.0, 1.0));
    let (firstname, surname) = if test {
        (*pick(rng, TEST_FIRST_NAMES), *pick(rng, TEST_SURNAMES))
    } else {
        (*pick(rng, FIRST_NAMES), *pick(rng, SURNAMES))
    };
    let (zip, city) = zip_city(rng);
    Person {
        firstname: firstname.to_owned(),
        surname: surname.to_owned(),
        serial: personnummer(rng),
        email: email(rng, firstname, surname),
        phone: mobile(rng),
        address: street_address(rng),
        zip,
        city: city.to_owned(),
    }
}

/// "Storgatan 12", sometimes with a flat ("Björkvägen 3 lgh 1102").
pub fn street_address<R: Rng + ?Sized>(rng: &mut R) -> String {
    let street = pick(rng, STREETS);
    let number = rng.random_range(1..=120);
    let letter = if rng.random_bool(0.1) { "B" } else { "" };
    if rng.random_bool(0.35) {
        let flat = rng.random_range(10..=16) * 100 + rng.random_range(1..=8);
        format!("{street} {number}{letter} lgh {flat}")
    } else {
        format!("{street} {number}{letter}")
    }
}

/// A postcode and its city (`("413 19", "Göteborg")`).
pub fn zip_city<R: Rng + ?Sized>(rng: &mut R) -> (String, &'static str) {
    let (city, prefix) = pick(rng, CITIES);
    (format!("{prefix} {:02}", rng.random_range(10..=99)), city)
}

/// A Swedish mobile number as the portal writes it (`07XXXXXXXX`).
pub fn mobile<R: Rng + ?Sized>(rng: &mut R) -> String {
    let prefix = pick(rng, &["070", "072", "073", "076", "079"]);
    format!("{prefix}{:07}", rng.random_range(0..10_000_000))
}

/// A 12-digit personal identity number with a correct Luhn check digit.
pub fn personnummer<R: Rng + ?Sized>(rng: &mut R) -> String {
    let year = rng.random_range(1935..=2004);
    let month = rng.random_range(1..=12);
    let day = rng.random_range(1..=28);
    let birth = rng.random_range(0..1000);
    let nine = format!("{:02}{month:02}{day:02}{birth:03}", year % 100);
    format!("{year}{month:02}{day:02}{birth:03}{}", luhn(&nine))
}

/// The Luhn check digit of a string of digits (non-digits are skipped).
pub fn luhn(digits: &str) -> u32 {
    let sum: u32 = digits
        .chars()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            let v = if i % 2 == 0 { d * 2 } else { d };
            if v > 9 { v - 9 } else { v }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// `firstname.surname@example.se`, folded to ASCII.
pub fn email<R: Rng + ?Sized>(rng: &mut R, firstname: &str, surname: &str) -> String {
    let domain = pick(rng, EMAIL_DOMAINS);
    let local = format!("{}.{}", ascii_fold(firstname), ascii_fold(surname));
    if rng.random_bool(0.2) {
        format!("{local}{}@{domain}", rng.random_range(1..100))
    } else {
        format!("{local}@{domain}")
    }
}

/// Lowercase ASCII for e-mail local parts: å/ä -> a, ö -> o, é -> e.
pub fn ascii_fold(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c.to_lowercase().next().unwrap_or(c) {
            'å' | 'ä' | 'á' | 'à' => Some('a'),
            'ö' | 'ø' | 'ó' => Some('o'),
            'é' | 'è' | 'ë' => Some('e'),
            'ü' => Some('u'),
            c if c.is_ascii_alphanumeric() => Some(c),
            ' ' | '-' => Some('-'),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn same_seed_same_people() {
        let a = person(&mut StdRng::seed_from_u64(7), 0.1);
        let b = person(&mut StdRng::seed_from_u64(7), 0.1);
        assert_eq!(a, b);
    }

    #[test]
    fn personnummer_has_valid_check_digit() {
        // The document's example: 197510116952 -> 751011695 + 2.
        assert_eq!(luhn("751011695"), 2);
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..100 {
            let p = personnummer(&mut rng);
            assert_eq!(p.len(), 12);
            let check = p[11..].parse::<u32>().unwrap();
            assert_eq!(luhn(&p[2..11]), check, "{p}");
        }
    }

    #[test]
    fn formats_look_swedish() {
        let mut rng = StdRng::seed_from_u64(3);
        for _ in 0..50 {
            let p = person(&mut rng, 0.5);
            assert!(
                p.phone.starts_with("07") && p.phone.len() == 10,
                "{}",
                p.phone
            );
            assert_eq!(p.zip.len(), 6, "{}", p.zip);
            assert!(p.email.is_ascii() && p.email.contains('@'), "{}", p.email);
        }
        assert_eq!(ascii_fold("Åsa Söderberg"), "asa-soderberg");
    }
}
