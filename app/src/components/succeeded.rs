//! Refreshing a record after its forms succeed, and only then: a record page that refetched
//! on every result would rebuild its forms after a refusal too, and a person would lose what
//! they typed beside the error that tells them what to change.

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// Counts the results of `action` after which the record must be read again: a success, or a
/// version conflict (someone else saved first, so what is shown is out of date). A record's
/// resource keyed on it never refetches after a refusal or a validation error.
pub fn successes<S>(action: ServerAction<S>) -> RwSignal<u32>
where
    S: ServerFn<Error = AppError> + Send + Sync + Clone + 'static,
    S::Output: Send + Sync + 'static,
{
    let count = RwSignal::new(0u32);
    Effect::new(move |_| {
        let stale = action
            .value()
            .with(|result| matches!(result, Some(Ok(_)) | Some(Err(AppError::Conflict { .. }))));
        if stale {
            count.update(|n| *n += 1);
        }
    });
    count
}
