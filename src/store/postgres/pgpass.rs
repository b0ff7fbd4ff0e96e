//! The password file (`~/.pgpass` or `$PGPASSFILE`) by libpq's rules, which
//! tokio-postgres does not read itself: lines `host:port:database:user:password`,
//! `*` matching anything in the first four fields, `\:` and `\\` escaping,
//! `#` starting a comment line, the first matching line winning. A file
//! that the group or others may read is ignored with a warning, as libpq
//! does. Must not: log or return anything but the matching password.

use std::path::Path;

/// The password for the connection, if `file` has a line for it.
pub(crate) fn lookup(
    file: &Path,
    host: &str,
    port: u16,
    database: &str,
    user: &str,
) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!(
                file = %file.display(),
                "password file ignored: the group or others may read it (chmod 0600 it)"
            );
            return None;
        }
    }
    find(&text, host, &port.to_string(), database, user)
}

/// The password of the first line of `text` matching the connection.
fn find(text: &str, host: &str, port: &str, database: &str, user: &str) -> Option<String> {
    let wanted = [host, port, database, user];
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .filter_map(fields)
        .find(|f| {
            f[..4]
                .iter()
                .zip(wanted)
                .all(|(field, want)| field == "*" || field == want)
        })
        .map(|mut f| f.swap_remove(4))
}

/// The five fields of a line (the password may hold unescaped `:`), or
/// `None` for a line with fewer.
fn fields(line: &str) -> Option<Vec<String>> {
    let mut out = Vec::with_capacity(5);
    let mut field = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    field.push(next);
                }
            }
            ':' if out.len() < 4 => out.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    out.push(field);
    (out.len() == 5).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
# team database
db.example:5432:team:anna:an\\:na\\\\pw
*:*:team:*:team-wide
db.example:*:*:bo:bo:with:colons
short:line
";

    #[test]
    fn the_first_matching_line_wins_with_wildcards_and_escapes() {
        assert_eq!(
            find(FILE, "db.example", "5432", "team", "anna").as_deref(),
            Some("an:na\\pw")
        );
        assert_eq!(
            find(FILE, "other", "6543", "team", "erik").as_deref(),
            Some("team-wide")
        );
        assert_eq!(
            find(FILE, "db.example", "1", "x", "bo").as_deref(),
            Some("bo:with:colons")
        );
        assert_eq!(find(FILE, "db.example", "5432", "other", "anna"), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_may_read_is_ignored() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(&file, "*:*:*:*:pw\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(lookup(&file, "h", 5432, "d", "u"), None);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(lookup(&file, "h", 5432, "d", "u").as_deref(), Some("pw"));
        assert_eq!(lookup(&dir.path().join("none"), "h", 5432, "d", "u"), None);
    }
}
