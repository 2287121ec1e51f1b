use crate::api::cab::{my_cab_work, CompleteCabAction, MarkNotificationsRead};
use crate::api::continuity::list_plans;
use crate::api::dashboard::{compliance_attention, get_dashboard, overdue_work};
use crate::components::badges::CriticalityBadge;
use crate::components::error_view::ErrorPanel;
use crate::components::error_view::FormErrors;
use crate::components::live::refresh_when_meetings_move_on;
use crate::components::session::IfAllowed;
use crate::model::access::Permission;
use crate::model::change_request::reference;
use crate::model::dashboard::OverdueItem;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let summary = Resource::new(|| (), |_| get_dashboard());
    view! {
        <Title text="Dashboard"/>
        <h1>"Dashboard"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the dashboard…"</p> }>
            {move || Suspend::new(async move {
                match summary.await {
                    Ok(summary) => {
                        let total = summary.active_services();
                        view! {
                            <section class="cards" aria-label="Service catalogue">
                                <a class="card" href="/services">
                                    <span class="card-figure">{total}</span>
                                    <span class="card-label">"active services"</span>
                                </a>
                                {summary
                                    .services_by_criticality
                                    .into_iter()
                                    .rev()
                                    .map(|(criticality, count)| {
                                        view! {
                                            <a class="card" href=format!("/services?criticality={}", criticality.as_str())>
                                                <span class="card-figure">{count}</span>
                                                <span class="card-label">
                                                    <CriticalityBadge criticality/>
                                                </span>
                                            </a>
                                        }
                                    })
                                    .collect_view()}
                            </section>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
        <ForYou/>
        <crate::pages::review_detail::MyReviewActions/>
        <ContinuityAttention/>
        <ComplianceAttention/>
        <OverdueRegister/>
        <MyCompetences/>
        <MyAwareness/>
        <IfAllowed permission=Permission::SupplierManage>
            <SupplierReviews/>
        </IfAllowed>
        <IfAllowed permission=Permission::RiskRead>
            <RiskReviews/>
        </IfAllowed>
    }
}

/// Continuity plans that need attention: review due or overdue, a recovery longer than a
/// covered service's RTO, unowned steps, or a major change to a covered service since approval.
#[component]
fn ContinuityAttention() -> impl IntoView {
    let plans = Resource::new(|| (), |_| list_plans());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(plans) = plans.await else { return ().into_any() };
                let total = plans.len();
                let attention: Vec<_> = plans.into_iter().filter(|p| p.needs_attention()).collect();
                view! {
                    <section class="panel" aria-labelledby="continuity-heading">
                        <h2 id="continuity-heading">{format!("Continuity plans needing attention ({})", attention.len())}</h2>
                        {if attention.is_empty() {
                            view! { <p class="muted">{format!("All {total} plans are reviewed on time and meet their RTOs.")}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="dashboard-list continuity-list">
                                    {attention.into_iter().map(|plan| {
                                        let mut reasons: Vec<String> = Vec::new();
                                        if plan.review.needs_attention() {
                                            reasons.push(plan.review.label());
                                        }
                                        reasons.extend(plan.warnings.iter().cloned());
                                        if !plan.major_changes.is_empty() {
                                            reasons.push(format!("{} major change(s) to its services since approval", plan.major_changes.len()));
                                        }
                                        view! {
                                            <li>
                                                <a href=format!("/continuity/plans/{}", plan.id)>{plan.title.clone()}</a>
                                                <span class="muted">{format!(" · {}", plan.owner.name)}</span>
                                                <ul class="plan-warnings">{reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </section>
                }.into_any()
            })}
        </Transition>
    }
}

/// The SMS profile and SMS documents due for review (overdue or within 30 days; the profile
/// also when no version is approved) and objectives needing a measurement; callers without
/// `ComplianceRead` get an error and no panel.
#[component]
fn ComplianceAttention() -> impl IntoView {
    let attention = Resource::new(|| (), |_| compliance_attention());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(due) = attention.await else { return ().into_any() };
                let (documents, objectives) = (due.documents, due.objectives);
                let count = documents.len() + usize::from(due.profile.is_some());
                view! {
                    <section class="panel" aria-labelledby="documents-due-heading">
                        <h2 id="documents-due-heading">{format!("SMS documents due for review ({count})")}</h2>
                        {if count == 0 {
                            view! { <p class="muted">"Every approved document is reviewed on time."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="dashboard-list">
                                    {due.profile.map(|profile| view! {
                                        <li class:overdue=profile.number.is_none() || profile.review.is_overdue()>
                                            <a href="/compliance/profile">"SMS profile: scope, policy and roles"</a>
                                            <span class="muted">{format!(" · {}", profile.label())}</span>
                                        </li>
                                    })}
                                    {documents.into_iter().map(|d| view! {
                                        <li class:overdue=d.review.is_overdue()>
                                            <a href=format!("/compliance/documents/{}", d.id)>{d.title.clone()}</a>
                                            <span class="muted">{format!(" · {} · {}", d.owner.name, d.review.label())}</span>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        <h3>{format!("Objectives needing measurement ({})", objectives.len())}</h3>
                        {if objectives.is_empty() {
                            view! { <p class="muted">"Every objective is measured on time."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="dashboard-list">
                                    {objectives.into_iter().map(|o| {
                                        let flags = o.flags.iter().map(|f| f.label()).collect::<Vec<_>>().join("; ");
                                        view! {
                                            <li>
                                                <a href=format!("/compliance/objectives/{}", o.id)>{o.title.clone()}</a>
                                                <span class="muted">{format!(" · {} · {flags}", o.owner.name)}</span>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </section>
                }.into_any()
            })}
        </Transition>
    }
}

/// Improvements past their target date and nonconformity steps past due, for everyone who
/// may read the register (others do not see the panel).
#[component]
fn OverdueRegister() -> impl IntoView {
    let work = Resource::new(|| (), |_| overdue_work());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(work) = work.await else { return ().into_any() };
                view! {
                    <section class="panel" aria-labelledby="overdue-heading">
                        <h2 id="overdue-heading">"Overdue in continual improvement"</h2>
                        <OverdueList
                            label="Improvements"
                            items=work.improvements
                            total=work.improvements_total
                            all_href="/improvements?overdue=yes&sort=target"
                            empty="No improvement is past its target date."
                        />
                        <OverdueList
                            label="Nonconformity steps"
                            items=work.nonconformities
                            total=work.nonconformities_total
                            all_href="/nonconformities"
                            empty="Every nonconformity is on time."
                        />
                    </section>
                }.into_any()
            })}
        </Transition>
    }
}

/// The reader's SMS risks due for review (within the fortnight or overdue), and how many
/// reviews the register has overdue; only for those who read the register.
#[component]
fn RiskReviews() -> impl IntoView {
    let reminders = Resource::new(|| (), |_| crate::api::risks::risk_review_reminders());
    view! {
        <ReviewsDue
            reminders
            heading="SMS risk reviews"
            empty="None of your risks is due for review in the next 14 days."
            reference=crate::model::sms_risk::reference
            register="/risks"
        />
    }
}

/// The suppliers whose relationship the reader manages due for review (within the
/// fortnight or overdue), and how many supplier reviews are overdue; only for keepers.
#[component]
fn SupplierReviews() -> impl IntoView {
    let reminders = Resource::new(
        || (),
        |_| crate::api::suppliers::supplier_review_reminders(),
    );
    view! {
        <ReviewsDue
            reminders
            heading="Supplier reviews"
            empty="None of your suppliers is due for review in the next 14 days."
            reference=crate::model::supplier::reference
            register="/suppliers"
        />
    }
}

/// The reader's own competence gaps and evidence expiring soon; shown only when there is
/// something to do.
#[component]
fn MyCompetences() -> impl IntoView {
    let reminders = Resource::new(|| (), |_| crate::api::competences::competence_reminders());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(reminders) = reminders.await else { return ().into_any() };
                if reminders.is_empty() {
                    return ().into_any();
                }
                view! {
                    <section class="panel" aria-labelledby="my-competences-heading">
                        <h2 id="my-competences-heading">"Your competence"</h2>
                        <ul class="dashboard-list overdue-list">
                            {reminders.into_iter().map(|r| view! {
                                <li class:mine=r.cell.gap()>
                                    <a href=format!("/competences/{}", r.competence.id)>{r.competence.name.clone()}</a>
                                    <span class="muted">{format!(" · {}", r.cell.label())}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                        <p class="hint">"A quality manager records new evidence from your certificate, training record or an assessment."</p>
                    </section>
                }.into_any()
            })}
        </Transition>
    }
}

/// The campaigns waiting for the reader's acknowledgement, soonest due first, each with the
/// document to read and the form to acknowledge it; shown only when there is one.
#[component]
fn MyAwareness() -> impl IntoView {
    use crate::api::awareness::awareness_to_acknowledge;
    use crate::pages::awareness_campaign::AcknowledgeForm;
    let acknowledged = RwSignal::new(0u32);
    let due = Resource::new(move || acknowledged.get(), |_| awareness_to_acknowledge());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(due) = due.await else { return ().into_any() };
                if due.is_empty() {
                    return ().into_any();
                }
                view! {
                    <section class="panel" aria-labelledby="my-awareness-heading">
                        <h2 id="my-awareness-heading">"To read and acknowledge"</h2>
                        <ul class="dashboard-list awareness-due">
                            {due.into_iter().map(|d| view! {
                                <li class:overdue=d.overdue>
                                    <strong>{d.title.clone()}</strong>
                                    <span class="muted">{format!(" · {} {}", if d.overdue { "overdue since" } else { "due" }, d.due_on)}</span>
                                    <p class="prewrap">{d.message.clone()}</p>
                                    <p><a href=d.document.href()>{format!("Read {}", d.document.words())}</a></p>
                                    <AcknowledgeForm campaign_id=d.campaign_id title=d.title.clone() document=d.document acknowledged/>
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                }.into_any()
            })}
        </Transition>
    }
}

/// A register's reviews due: the reader's own, soonest first, and the register's overdue
/// count linking to them.
#[component]
fn ReviewsDue(
    reminders: Resource<Result<crate::model::sms_risk::ReviewReminders, crate::error::AppError>>,
    heading: &'static str,
    empty: &'static str,
    reference: fn(i64) -> String,
    register: &'static str,
) -> impl IntoView {
    let heading_id = format!("{}-reviews-heading", register.trim_start_matches('/'));
    view! {
        <Transition fallback=|| ()>
            {move || {
                let heading_id = heading_id.clone();
                Suspend::new(async move {
                let Ok(reminders) = reminders.await else { return ().into_any() };
                let today = reminders.today;
                view! {
                    <section class="panel" aria-labelledby=heading_id.clone()>
                        <h2 id=heading_id.clone()>{heading}</h2>
                        {if reminders.mine.is_empty() {
                            view! { <p class="muted">{empty}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="dashboard-list overdue-list">
                                    {reminders.mine.into_iter().map(|(id, title, due)| view! {
                                        <li class:mine=due < today>
                                            <a href=format!("{register}/{id}")>{reference(id)}</a>" "{title}
                                            <span class="muted">{format!(" · review {} {}", if due < today { "overdue since" } else { "due" }, due.format("%-d %b %Y"))}</span>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        {(reminders.overdue_total > 0).then(|| view! {
                            <p><a href=format!("{register}?review=overdue")>{format!("{} overdue review(s) in the register", reminders.overdue_total)}</a></p>
                        })}
                    </section>
                }.into_any()
            })}}
        </Transition>
    }
}

#[component]
fn OverdueList(
    label: &'static str,
    items: Vec<OverdueItem>,
    total: usize,
    all_href: &'static str,
    empty: &'static str,
) -> impl IntoView {
    let shown = items.len();
    view! {
        <h3>{format!("{label} ({total})")}</h3>
        {if items.is_empty() {
            view! { <p class="muted">{empty}</p> }.into_any()
        } else {
            view! {
                <ul class="dashboard-list overdue-list">
                    {items.into_iter().map(|item| view! {
                        <li class:mine=item.mine>
                            <a href=item.href.clone()>{item.reference.clone()}</a>" "{item.title.clone()}
                            <span class="muted">{format!(" · {} since {} · {}", item.what, item.due.format("%-d %b %Y"), item.owner)}</span>
                            {item.mine.then(|| view! { " "<span class="badge">"Yours"</span> })}
                        </li>
                    }).collect_view()}
                </ul>
                {(total > shown).then(|| view! { <p><a href=all_href>{format!("All {total} overdue")}</a></p> })}
            }.into_any()
        }}
    }
}

/// What Conform asks of the signed-in person: open CAB actions and recent notifications
/// (e.g. "your change is being discussed now").
#[component]
fn ForYou() -> impl IntoView {
    let complete = ServerAction::<CompleteCabAction>::new();
    let read = ServerAction::<MarkNotificationsRead>::new();
    let live = RwSignal::new(0u32);
    // CAB actions and notifications come from meetings moving on.
    refresh_when_meetings_move_on(move || live.update(|n| *n += 1));
    let work = Resource::new(
        move || (complete.version().get(), read.version().get(), live.get()),
        |_| my_cab_work(),
    );
    let error = Signal::derive(move || complete.value().get().and_then(Result::err));
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok((actions, notifications)) = work.await else { return ().into_any() };
                let unread = notifications.iter().filter(|n| !n.read).count();
                view! {
                    <section class="panel" aria-labelledby="actions-heading">
                        <h2 id="actions-heading">"Your CAB actions"</h2>
                        <FormErrors error/>
                        {if actions.is_empty() {
                            view! { <p class="muted">"No open actions. Actions agreed in CAB meetings appear here for their owners."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="dashboard-list cab-actions">
                                    {actions.into_iter().map(|a| view! {
                                        <li>
                                            {a.text.clone()}" — due "{a.due.format("%Y-%m-%d").to_string()}" · "
                                            <a href=format!("/cab/meetings/{}", a.meeting_id)>{a.meeting_title.clone()}</a>
                                            {a.change_id.map(|c| view! { " · "<a href=format!("/changes/{c}")>{reference(c)}</a> })}
                                            " "
                                            <ActionForm action=complete attr:class="inline">
                                                <input type="hidden" name="id" value=a.id/>
                                                <input type="hidden" name="version" value=a.version/>
                                                <button type="submit" class="button small secondary" aria-label=format!("Mark done: {}", a.text)>"Done"</button>
                                            </ActionForm>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </section>
                    <section class="panel" aria-labelledby="notifications-heading">
                        <h2 id="notifications-heading">{format!("Notifications ({unread} new)")}</h2>
                        {if notifications.is_empty() {
                            view! { <p class="muted">"Nothing new in the last two weeks."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="dashboard-list notifications">
                                    {notifications.into_iter().map(|n| view! {
                                        <li class:unread=!n.read>
                                            <a href=n.link.clone()>{n.text.clone()}</a>
                                            <span class="muted">{format!(" · {} UTC", n.created_at.format("%-d %b %H:%M"))}</span>
                                        </li>
                                    }).collect_view()}
                                </ul>
                                {(unread > 0).then(|| view! {
                                    <ActionForm action=read>
                                        <button type="submit" class="button small secondary">"Mark all as read"</button>
                                    </ActionForm>
                                })}
                            }.into_any()
                        }}
                    </section>
                }.into_any()
            })}
        </Transition>
    }
}
