//! The signed-in user as the UI knows it, and permission-gated rendering.

use crate::api::auth::{get_current_user, SignIn, SignOut};
use crate::error::AppError;
use crate::model::access::Permission;
use crate::model::user::CurrentUser;
use leptos::prelude::*;

pub type UserResource = Resource<Result<Option<CurrentUser>, AppError>>;

/// App-wide: the user resource and the actions that change who is signed in.
#[derive(Clone, Copy)]
pub struct Session {
    pub user: UserResource,
    pub sign_in: ServerAction<SignIn>,
    pub sign_out: ServerAction<SignOut>,
}

impl Session {
    /// Created once in `App`; the user is fetched again whenever someone signs in or out.
    pub fn provide() -> Self {
        let sign_in = ServerAction::<SignIn>::new();
        let sign_out = ServerAction::<SignOut>::new();
        let user = Resource::new(
            move || (sign_in.version().get(), sign_out.version().get()),
            |_| get_current_user(),
        );
        let session = Session {
            user,
            sign_in,
            sign_out,
        };
        provide_context(session);
        session
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// Renders `children` only for users whose roles grant `permission`.
/// (The server refuses the action anyway; this keeps the screen honest.)
#[component]
pub fn IfAllowed(permission: Permission, children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let children = StoredValue::new(children);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let allowed = session.user.await.ok().flatten().is_some_and(|user| user.may(permission));
                allowed.then(|| children.with_value(|children| children()))
            })}
        </Transition>
    }
}
