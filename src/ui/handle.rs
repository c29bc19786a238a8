//! The page's handle on the console session: shared, mutated in place, and
//! versioned so components re-render exactly when it changed. Its own module so
//! panels that read the session (the event log) do not depend on the app.

use crate::console::Session;
use std::cell::{Ref, RefCell};
use std::rc::Rc;

/// A shared, mutable session plus the version it was at when this handle was made.
///
/// Two handles are equal when they point at the same session at the same
/// version, so components taking one re-render exactly when the session changed.
#[derive(Clone)]
pub struct SessionHandle {
    session: Rc<RefCell<Session>>,
    version: u64,
}

impl SessionHandle {
    pub fn new(session: Session) -> Self {
        SessionHandle {
            session: Rc::new(RefCell::new(session)),
            version: 0,
        }
    }

    /// The session for reading; `None` only if it is being changed right now
    /// (never during a render, but a panic would kill the page, so we ask).
    pub fn get(&self) -> Option<Ref<'_, Session>> {
        self.session.try_borrow().ok()
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    /// Runs `f` on the session and returns a handle at the next version.
    pub(super) fn update<R>(
        &self,
        f: impl FnOnce(&mut Session) -> R,
    ) -> Option<(SessionHandle, R)> {
        let mut session = self.session.try_borrow_mut().ok()?;
        let r = f(&mut session);
        Some((
            SessionHandle {
                session: self.session.clone(),
                version: self.version + 1,
            },
            r,
        ))
    }
}

impl PartialEq for SessionHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session) && self.version == other.version
    }
}
