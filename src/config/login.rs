//! The login name of the user running the console, from the system's user
//! database (`getpwuid_r` of the effective uid): the default author of notes
//! and journal entries when `$USER` is unset (cron, some containers, `env
//! -i`). Reads only the user database; no other I/O, and nothing here knows
//! the config's shape.

/// The login name of the effective user, when the system knows one.
#[cfg(unix)]
pub(super) fn login_name() -> Option<String> {
    use std::ffi::CStr;

    let mut buf = vec![0 as libc::c_char; 4096];
    // SAFETY: `passwd` is plain data that getpwuid_r fills; it points its
    // strings into `buf`, which outlives every read of them below.
    // `result` is null or points at `passwd`.
    unsafe {
        let mut passwd: libc::passwd = std::mem::zeroed();
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(
            libc::geteuid(),
            &mut passwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        );
        if rc != 0 || result.is_null() || passwd.pw_name.is_null() {
            return None;
        }
        let name = CStr::from_ptr(passwd.pw_name)
            .to_string_lossy()
            .into_owned();
        (!name.trim().is_empty()).then_some(name)
    }
}

#[cfg(not(unix))]
pub(super) fn login_name() -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    #[test]
    fn the_running_user_has_a_login_name() {
        // Every uid this runs as has a passwd entry in the build images
        // (root in CI containers); a missing one would be None, not a panic.
        let name = super::login_name().expect("a passwd entry for this uid");
        assert!(!name.is_empty());
        assert!(!name.contains('\0'));
    }
}
