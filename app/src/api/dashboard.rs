//! The dashboard's server function.

use crate::error::AppError;
use crate::model::dashboard::DashboardSummary;
use leptos::prelude::*;

#[server(endpoint = "dashboard/summary")]
pub async fn get_dashboard() -> Result<DashboardSummary, AppError> {
    use crate::model::access::Permission;
    let caller = super::guard::require(Permission::ServiceRead).await?;
    Ok(DashboardSummary {
        services_by_criticality: crate::server::service::catalogue::criticality_counts(&caller.db)
            .await?,
    })
}

/// Overdue improvements (open past their target date) and overdue nonconformity steps,
/// the caller's own first.
#[server(endpoint = "dashboard/overdue")]
pub async fn overdue_work() -> Result<crate::model::dashboard::OverdueWork, AppError> {
    use crate::model::access::Permission;
    use crate::model::dashboard::{most_pressing, OverdueItem, OverdueWork};
    use crate::model::register::RegisterParams;
    use crate::server::service::{nonconformities, register, schedule};
    let caller = super::guard::require(Permission::ImprovementRead).await?;
    let today = schedule::local_today(&caller.user.time_zone);
    let me = caller.user.id;
    let params = RegisterParams {
        overdue: "yes".into(),
        sort: "target".into(),
        ..Default::default()
    };
    // The caller's own and the oldest, without loading a large register whole.
    let shown = crate::model::dashboard::OVERDUE_SHOWN as u64;
    let (oldest, total, _) = register::query(&caller.db, &params, today, shown).await?;
    let mine = RegisterParams {
        owner: me.to_string(),
        ..params
    };
    let (mut late, _, _) = register::query(&caller.db, &mine, today, shown).await?;
    late.extend(oldest.into_iter().filter(|e| e.owner.id != me));
    let improvements_total = total as usize;
    let improvements = most_pressing(
        late.into_iter()
            .filter_map(|e| {
                Some(OverdueItem {
                    reference: e.reference(),
                    href: format!("/improvements/{}", e.id),
                    due: e.target_date?,
                    what: format!("{}, target date passed", e.state.label()),
                    owner: e.owner.name.clone(),
                    mine: e.owner.id == me,
                    title: e.title,
                })
            })
            .collect(),
    );
    let (late, nonconformities_total) =
        nonconformities::overdue(&caller.db, today, me, shown).await?;
    let nonconformities = most_pressing(
        late.into_iter()
            .filter_map(|nc| {
                Some(OverdueItem {
                    reference: nc.reference(),
                    href: format!("/nonconformities/{}", nc.id),
                    due: nc.step_due?,
                    what: format!("{}, next step overdue", nc.state.label()),
                    owner: nc.owner.name.clone(),
                    mine: nc.owner.id == me,
                    title: crate::model::text::shorten(&nc.description, 90),
                })
            })
            .collect(),
    );
    Ok(OverdueWork {
        improvements,
        improvements_total,
        nonconformities,
        nonconformities_total: nonconformities_total as usize,
    })
}

/// The SMS profile and SMS documents whose review is overdue or due within 30 days (the
/// profile also when no version was ever approved), and objectives that need a measurement
/// (never measured or overdue), for the dashboard.
#[server(endpoint = "dashboard/compliance")]
pub async fn compliance_attention() -> Result<crate::model::dashboard::ComplianceDue, AppError> {
    use crate::model::access::Permission;
    use crate::server::service::{objectives, schedule, sms_documents, sms_profile};
    let caller = super::guard::require(Permission::ComplianceRead).await?;
    let reader = caller.db.reader();
    let today = schedule::local_today(&caller.user.time_zone);
    let profile = sms_profile::review(reader, today).await?;
    let documents = sms_documents::due_for_review(reader, today).await?;
    let objectives = objectives::summaries(&caller.db, today)
        .await?
        .into_iter()
        .filter(|o| o.needs_measurement())
        .collect();
    Ok(crate::model::dashboard::ComplianceDue {
        profile: profile.needs_attention().then_some(profile),
        documents,
        objectives,
    })
}
