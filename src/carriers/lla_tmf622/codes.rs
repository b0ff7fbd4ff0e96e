//! The tables and strings of document 003 that orders carry: the JobType
//! code table (every row, verbatim), the warnings BSS puts in an order's
//! `description`, and the `2099 | CODE - TEXT|` strings of BSS errors with
//! the explanations the document gives. Pure.
//!
//! Must not: do I/O, or fail on text it does not know (an unknown job type
//! shows as itself; an unknown description is no warning).

/// The document's "Possible JobType Values" table: (code, description),
/// verbatim (its spellings included).
pub const JOB_TYPES: &[(&str, &str)] = &[
    ("AO", "A/O UPGRADE"),
    ("AU", "AUDIT"),
    ("BD", "NW/BURY/DROP"),
    ("BN", "B2B SELF CONNECT"),
    ("BR", "B2B SELF RESTART"),
    ("BT", "BUCKET TRUCK"),
    ("BU", "B2B SELF UPGRADE"),
    ("CP", "CONSTRUCTN/PREWIRE"),
    ("CS", "FIB-SELF CONNECT"),
    ("DH", "HSD DOWNGRADE"),
    ("DN", "DOWNGRADE"),
    ("EP", "EQUIPMENT PICKUP"),
    ("FC", "FIBER SERVICE CHG"),
    ("FM", "FIBER MIGRATION"),
    ("FN", "FTTH INSTALL"),
    ("FS", "FIBER RESTART"),
    ("GA", "GUINDOLA"),
    ("HC", "HSD RECONNECT"),
    ("HN", "HSD NEW CONNECT"),
    ("HR", "HSD RESTART"),
    ("IT", "INST TROUBLE CALL"),
    ("KC", "COMM-RECONNECT"),
    ("KN", "COMM-NEW CONNECT"),
    ("KR", "COMM-RESTART"),
    ("KS", "BSB F-SELF RESTART"),
    ("KU", "COMM-UPG"),
    ("MN", "INTER ESCALATION"),
    ("MR", "MAINTENANCE\\REPAIR"),
    ("NC", "NEW CONNECT"),
    ("NK", "BSB F-SELF CONNECT"),
    ("NP", "NONPAY"),
    ("OL", "FAT NO OPT LIGHT"),
    ("PS", "PEND CONSTRUCTION"),
    ("RC", "RECOONECTS"),
    ("RP", "REPLACE DROP"),
    ("RS", "RESTART SERVICE"),
    ("RT", "RETRENCH\\TRENCH"),
    ("SC", "SELF SERV CONNECT"),
    ("SF", "FIB-SELF RESTART"),
    ("SH", "SIDEGRADE"),
    ("SP", "CERTIFIED NODE"),
    ("SR", "SYSTEM REPLACEMENT"),
    ("SS", "SELF SERV RESTART"),
    ("SU", "FIB-SELF UPGRADE"),
    ("TA", "TROUBLE CALL"),
    ("TB", "BS-TROUBLE CALL"),
    ("TE", "TAP&EQUIP DISCO"),
    ("TF", "FTTH TROUBLE CALL"),
    ("TN", "TELE NEW CONNECT"),
    ("TP", "TP DISCO"),
    ("TR", "TELE RESTART"),
    ("UH", "HSD UPGARDE"),
    ("UK", "B2B F-SELFUPGRADE"),
    ("UP", "UPGRADE"),
    ("US", "SELF SERV UPGRADE"),
    ("UT", "TELE UPGRADE"),
    ("VD", "VOLUNTARY DISCO"),
    ("VS", "VERIFY SERVICE"),
    ("VT", "TRANSFER"),
];

/// The description of a job type code (any case, blanks ignored).
pub fn job_type(code: &str) -> Option<&'static str> {
    let code = code.trim();
    JOB_TYPES
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code))
        .map(|(_, d)| *d)
}

/// A job type as shown: `FN FTTH INSTALL`, or the code itself when the
/// table does not know it.
pub fn job_type_label(code: &str) -> String {
    let code = code.trim();
    match job_type(code) {
        Some(description) => format!("{} {description}", code.to_ascii_uppercase()),
        None => code.to_owned(),
    }
}

/// A warning BSS carried in an order's `description`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// `ORV59I - EXISTING CUSTOMER AT LOCATION`.
    ExistingCustomer,
    /// `OTG REASN ... AUTO OUTAGE DECLARED 13:24 01/02/23`, with the time
    /// it gives when it gives one.
    Outage { declared: Option<String> },
    /// `JOB_UNSCHED_ALRT` / `ADP10E-NO DATES AVAILABLE FOR THIS JOB`.
    NoDates,
}

impl Warning {
    /// Machine code (attention code suffix).
    pub fn code(&self) -> &'static str {
        match self {
            Warning::ExistingCustomer => "existing-customer",
            Warning::Outage { .. } => "outage",
            Warning::NoDates => "no-dates",
        }
    }

    /// The warning in plain language.
    pub fn text(&self) -> String {
        match self {
            Warning::ExistingCustomer => {
                "an existing customer is at this location (ORV59I)".to_owned()
            }
            Warning::Outage { declared: Some(at) } => {
                format!("outage declared at {at}: process the order when it is resolved")
            }
            Warning::Outage { declared: None } => {
                "outage declared: process the order when it is resolved".to_owned()
            }
            Warning::NoDates => {
                "no dates available for this job: it is unscheduled (ADP10E)".to_owned()
            }
        }
    }
}

/// The warnings in a `description` (none for an empty or ordinary one).
pub fn warnings(description: &str) -> Vec<Warning> {
    let upper = description.to_ascii_uppercase();
    let mut out = Vec::new();
    if upper.contains("ORV59I") || upper.contains("EXISTING CUSTOMER AT LOCATION") {
        out.push(Warning::ExistingCustomer);
    }
    if upper.contains("OTG REASN") || upper.contains("OUTAGE DECLARED") {
        let declared = upper
            .find("OUTAGE DECLARED")
            .map(|at| {
                description[at + "OUTAGE DECLARED".len()..]
                    .trim()
                    .to_owned()
            })
            .filter(|t| !t.is_empty());
        out.push(Warning::Outage { declared });
    }
    if upper.contains("JOB_UNSCHED_ALRT") || upper.contains("ADP10E") {
        out.push(Warning::NoDates);
    }
    out
}

/// A BSS error string of the form `2099 | [FIELD-]CODE - TEXT| `, taken
/// apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BssError {
    /// The number before the first `|` (`2099`).
    pub number: String,
    /// The BSS field the error is about (`SERV_CD`, `SCHED_TM`), if named.
    pub field: Option<String>,
    /// The BSS message code (`DRO30E`, `MAP15E`, `JBE10E`).
    pub code: String,
    /// The BSS text (`FIELD PROTECTED, CANNOT UPDATE`).
    pub text: String,
}

impl BssError {
    /// What the document says the code means, when it says.
    pub fn explanation(&self) -> Option<&'static str> {
        explain(&self.code)
    }

    /// One line for people: code, text and the explanation.
    pub fn describe(&self) -> String {
        let mut out = format!("{} {}", self.code, self.text);
        if let Some(field) = &self.field {
            out.push_str(&format!(" (field {field})"));
        }
        if let Some(why) = self.explanation() {
            out.push_str(&format!(": {why}"));
        }
        out
    }
}

/// The document's explanation of a BSS message code.
pub fn explain(code: &str) -> Option<&'static str> {
    Some(match code.trim().to_ascii_uppercase().as_str() {
        "DRO30E" => {
            "the BSS conversation expired (an order must be placed within 14 minutes of the tax and fees call; start again from tax and fees)"
        }
        "MAP15E" => "the order is signed off: this field is protected and can no longer be changed",
        "JBE10E" => "no slot is available at that time of day",
        "J4U22A" => {
            "the chosen date and time is no longer available (a slot is held for 4 minutes after searchTimeSlot)"
        }
        _ => return None,
    })
}

/// Whether `word` looks like a BSS message code: six letters and digits,
/// upper case, with a digit, ending in a letter (`DRO30E`, `J4U22A`).
fn is_code(word: &str) -> bool {
    word.len() == 6
        && word
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && word.chars().any(|c| c.is_ascii_digit())
        && word.chars().last().is_some_and(|c| c.is_ascii_uppercase())
}

/// Takes a `2099 | ...|` string apart; `None` when it is not one.
pub fn parse_bss(text: &str) -> Option<BssError> {
    let (number, rest) = text.split_once('|')?;
    let number = number.trim();
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let rest = rest.trim().trim_end_matches('|').trim();
    let parts: Vec<&str> = rest.split('-').map(str::trim).collect();
    let at = parts.iter().position(|p| is_code(p))?;
    let field = parts[..at].join("-");
    let text = parts[at + 1..].join("-");
    Some(BssError {
        number: number.to_owned(),
        field: (!field.is_empty()).then_some(field),
        code: parts[at].to_owned(),
        text: text.trim().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_types_known_and_unknown() {
        assert_eq!(JOB_TYPES.len(), 59);
        assert_eq!(job_type_label("FN"), "FN FTTH INSTALL");
        assert_eq!(job_type_label("sc"), "SC SELF SERV CONNECT");
        assert_eq!(job_type_label("ZZ"), "ZZ");
    }

    #[test]
    fn the_documents_warnings_decode() {
        assert_eq!(
            warnings("ORV59I - EXISTING CUSTOMER AT LOCATION"),
            [Warning::ExistingCustomer]
        );
        let outage = warnings(
            "8211990010051704OTG REASN  - AA                          AUTO OUTAGE DECLARED 13:24 01/02/23",
        );
        assert_eq!(
            outage,
            [Warning::Outage {
                declared: Some("13:24 01/02/23".into())
            }]
        );
        assert!(outage[0].text().contains("13:24 01/02/23"));
        assert_eq!(
            warnings(
                "JOB_UNSCHED_ALRT,JBE74A-ENTER OVERRIDE TO UNSCHEDULE JOB,ADP10E-NO DATES AVAILABLE FOR THIS JOB"
            ),
            [Warning::NoDates]
        );
        assert!(warnings("").is_empty());
        assert!(warnings("Product Order illustration sample").is_empty());
    }

    #[test]
    fn the_documents_bss_strings_decode() {
        let e = parse_bss("2099 | DRO30E - REF CDA NOT FOUND| ").unwrap();
        assert_eq!((e.number.as_str(), e.field.as_deref()), ("2099", None));
        assert_eq!(
            (e.code.as_str(), e.text.as_str()),
            ("DRO30E", "REF CDA NOT FOUND")
        );
        assert!(e.describe().contains("conversation expired"));
        let e = parse_bss("2099 | SERV_CD-MAP15E - FIELD PROTECTED, CANNOT UPDATE| ").unwrap();
        assert_eq!(e.field.as_deref(), Some("SERV_CD"));
        assert_eq!(e.code, "MAP15E");
        assert_eq!(e.text, "FIELD PROTECTED, CANNOT UPDATE");
        assert!(e.describe().contains("signed off"));
        let e = parse_bss("2099 | SCHED_TM-JBE10E-INVALID SCHEDULED TIME OF DAY| ").unwrap();
        assert_eq!(e.field.as_deref(), Some("SCHED_TM"));
        assert_eq!(e.code, "JBE10E");
        assert!(e.describe().contains("time of day"));
        let e = parse_bss("2099 | JOB_TYP_TIME_ALRT-J4U22A-ENTERED DT/TM UNAVAIL.").unwrap();
        assert_eq!(e.code, "J4U22A");
        assert_eq!(e.text, "ENTERED DT/TM UNAVAIL.");
        assert_eq!(parse_bss("Malformed request syntax"), None);
        assert_eq!(parse_bss("x | DRO30E - y"), None);
    }
}
