//! The continuity plan editor: structured sections instead of one text box, recovery steps
//! edited by keyboard or mouse, problems shown where they are, the timeline redrawn as you
//! type, drafts saved by themselves a moment after the last edit, undo of the last edit, and
//! — when someone else saved the same draft meanwhile — a prompt to merge section by section
//! instead of a silent overwrite.

use crate::api::continuity::{get_plan, save_plan_draft};
use crate::components::plan_timeline::PlanTimeline;
use crate::components::plan_view::step_depth_class;
use crate::error::AppError;
use crate::model::continuity_plan::{
    check_content, compare, Communication, Contact, DiffLine, PlanContent, PlanVersion, Scenario,
    Section,
};
use crate::model::plan_editing::{
    add_step_after, indent_step, merge, move_step, parse_waits, remove_step, waits_text,
};
use crate::model::plan_overview::plan_warnings;
use crate::model::recovery::{minutes_text, parse_minutes};
use crate::model::refs::PersonRef;
use leptos::prelude::*;
use std::time::Duration;

/// How long after the last keystroke a draft is saved.
const AUTOSAVE_DELAY: Duration = Duration::from_millis(900);
/// Undo steps kept.
const HISTORY: usize = 100;

#[derive(Debug, Clone, PartialEq)]
enum SaveState {
    Saved,
    Unsaved,
    Saving,
    /// Not saved because the draft has a problem the server would refuse.
    Invalid,
    Failed(String),
    /// Someone else saved first: their version, to merge with.
    Conflict(Box<PlanVersion>),
}

/// The draft being edited and its undo history; every edit goes through `change`.
#[derive(Clone, Copy)]
struct Draft {
    content: RwSignal<PlanContent>,
    history: RwSignal<Vec<PlanContent>>,
    /// The field of the last edit: typing on in the same field is one edit to undo.
    last_field: StoredValue<String>,
    edits: RwSignal<u64>,
}

impl Draft {
    fn change(self, field: &str, edit: impl FnOnce(&mut PlanContent)) {
        let before = self.content.get_untracked();
        let mut after = before.clone();
        edit(&mut after);
        if after == before {
            return;
        }
        let same_field = !field.is_empty() && self.last_field.with_value(|last| last == field);
        if !same_field {
            self.history.update(|h| {
                h.push(before);
                if h.len() > HISTORY {
                    h.remove(0);
                }
            });
        }
        self.last_field.set_value(field.to_string());
        self.content.set(after);
        self.edits.update(|n| *n += 1);
    }

    fn undo(self) {
        let mut previous = None;
        self.history.update(|h| previous = h.pop());
        if let Some(previous) = previous {
            self.last_field.set_value(String::new());
            self.content.set(previous);
            self.edits.update(|n| *n += 1);
        }
    }
}

/// Moves keyboard focus to an element once the view has caught up.
fn focus_later(id: String) {
    #[cfg(feature = "hydrate")]
    set_timeout(
        move || {
            use wasm_bindgen::JsCast;
            if let Some(element) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&id))
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = element.focus();
            }
        },
        Duration::ZERO,
    );
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

#[component]
pub fn PlanEditor(
    draft: PlanVersion,
    people: Vec<PersonRef>,
    rtos: Vec<(String, u32)>,
    /// The draft's current version, shared with the page's lifecycle buttons.
    version: RwSignal<i32>,
    /// True while there are edits not yet saved (the page holds "send to review" back).
    unsaved: RwSignal<bool>,
) -> impl IntoView {
    let plan_id = draft.plan_id;
    let version_id = draft.id;
    let editor = Draft {
        content: RwSignal::new(draft.content.clone()),
        history: RwSignal::new(Vec::new()),
        last_field: StoredValue::new(String::new()),
        edits: RwSignal::new(0),
    };
    let state = RwSignal::new(SaveState::Saved);
    let people = StoredValue::new(people);
    let rtos = Signal::stored(rtos);

    let save_now = move || {
        if matches!(
            state.get_untracked(),
            SaveState::Saving | SaveState::Conflict(_)
        ) {
            return;
        }
        let snapshot = editor.content.get_untracked();
        if check_content(&snapshot).is_err() {
            state.set(SaveState::Invalid);
            return;
        }
        let edit = editor.edits.get_untracked();
        state.set(SaveState::Saving);
        leptos::task::spawn_local(async move {
            match save_plan_draft(version_id, version.get_untracked(), snapshot).await {
                Ok(saved) => {
                    version.set(saved.version);
                    if editor.edits.get_untracked() == edit {
                        state.set(SaveState::Saved);
                        unsaved.set(false);
                    } else {
                        // Edited while saving: save again after the pause.
                        state.set(SaveState::Unsaved);
                        editor.edits.update(|n| *n += 1);
                    }
                }
                Err(AppError::Conflict { .. }) => {
                    let theirs = get_plan(plan_id)
                        .await
                        .ok()
                        .and_then(|plan| plan.versions.into_iter().find(|v| v.id == version_id));
                    state.set(match theirs {
                        Some(theirs) if theirs.state.is_editable() => SaveState::Conflict(Box::new(theirs)),
                        Some(theirs) => SaveState::Failed(format!(
                            "This draft was moved on meanwhile (it is now {}); reload the page to see it.",
                            theirs.state.label().to_lowercase()
                        )),
                        None => SaveState::Failed(
                            "Someone else changed this draft; reload the page to see it.".into(),
                        ),
                    });
                }
                Err(error) => state.set(SaveState::Failed(error.to_string())),
            }
        });
    };

    // Autosave: a moment after the last edit, unless another edit came meanwhile.
    Effect::new(move |_| {
        let edit = editor.edits.get();
        if edit == 0 {
            return;
        }
        unsaved.set(true);
        if !matches!(
            state.get_untracked(),
            SaveState::Saving | SaveState::Conflict(_)
        ) {
            state.set(SaveState::Unsaved);
        }
        set_timeout(
            move || {
                if editor.edits.get_untracked() == edit {
                    save_now();
                }
            },
            AUTOSAVE_DELAY,
        );
    });

    let problems = Memo::new(move |_| {
        editor.content.with(|c| {
            let mut found: Vec<String> = check_content(c)
                .err()
                .map(|errors| errors.0.into_values().collect())
                .unwrap_or_default();
            let (_, warnings) = plan_warnings(c, &rtos.get());
            for warning in warnings {
                if !found.contains(&warning) {
                    found.push(warning);
                }
            }
            found
        })
    });

    view! {
        <section class="plan-editor" aria-label="Plan editor">
            <div class="editor-toolbar">
                <SaveIndicator state/>
                <button type="button" class="button secondary small"
                    disabled=move || editor.history.with(Vec::is_empty)
                    on:click=move |_| editor.undo()>"Undo last edit"</button>
                <button type="button" class="button small"
                    disabled=move || !matches!(state.get(), SaveState::Unsaved | SaveState::Failed(_))
                    on:click=move |_| save_now()>"Save now"</button>
            </div>
            {move || match state.get() {
                SaveState::Conflict(theirs) => {
                    let theirs = *theirs;
                    view! { <MergePrompt theirs editor state version/> }.into_any()
                }
                _ => ().into_any(),
            }}
            <div class="plan-problems" aria-live="polite">
                {move || {
                    let found = problems.get();
                    (!found.is_empty()).then(|| view! {
                        <div class="banner banner-warning" role="status">
                            <p><strong>"Check before review:"</strong></p>
                            <ul class="plan-warnings">{found.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                        </div>
                    })
                }}
            </div>
            <TextSection editor section=Section::Scope field="scope" rows=3
                hint="What the plan covers: services, sites, people, and what it leaves out."/>
            <TextSection editor section=Section::Activation field="activation" rows=3
                hint="When the plan is invoked and who may invoke it."/>
            <CallTreeSection editor/>
            <ScenarioSection editor/>
            <StepsSection editor people rtos/>
            <CommunicationSection editor/>
            <TextSection editor section=Section::ReturnToNormal field="return_to_normal" rows=3
                hint="How services go back to normal operation once recovered, one step per line."/>
            <TextSection editor section=Section::RelatedPlans field="related_plans" rows=2
                hint="Other plans this one relies on or hands over to."/>
        </section>
    }
}

#[component]
fn SaveIndicator(state: RwSignal<SaveState>) -> impl IntoView {
    let text = move || match state.get() {
        SaveState::Saved => ("saved", "All changes saved".to_string()),
        SaveState::Unsaved => ("unsaved", "Unsaved changes…".to_string()),
        SaveState::Saving => ("saving", "Saving…".to_string()),
        SaveState::Invalid => (
            "invalid",
            "Not saved: fix the problems listed below".to_string(),
        ),
        SaveState::Failed(why) => ("failed", format!("Not saved: {why}")),
        SaveState::Conflict(_) => (
            "conflict",
            "Not saved: someone else changed this draft".to_string(),
        ),
    };
    view! {
        <p class=move || format!("save-state save-{}", text().0) role="status" aria-live="polite" data-testid="save-state">
            {move || text().1}
        </p>
    }
}

/// Someone else saved the draft first: show where theirs and mine differ, section by
/// section, and let the person choose which to keep before saving again.
#[component]
fn MergePrompt(
    theirs: PlanVersion,
    editor: Draft,
    state: RwSignal<SaveState>,
    version: RwSignal<i32>,
) -> impl IntoView {
    let mine = editor.content.get_untracked();
    let differences: Vec<_> = compare(&theirs.content, &mine)
        .into_iter()
        .filter(|d| d.changed())
        .collect();
    let take_theirs = RwSignal::new(Vec::<Section>::new());
    let theirs = StoredValue::new(theirs);
    let resolve = move |merged: PlanContent| {
        let their_version = theirs.with_value(|t| t.version);
        version.set(their_version);
        state.set(SaveState::Unsaved);
        editor.change("", |c| *c = merged);
        // Same content as theirs changes nothing; still count it as saved on their version.
        if editor
            .content
            .with_untracked(|c| theirs.with_value(|t| *c == t.content))
        {
            state.set(SaveState::Saved);
        }
        editor.edits.update(|n| *n += 1);
    };
    view! {
        <div class="merge-prompt banner banner-warning" role="alertdialog" aria-labelledby="merge-title" aria-describedby="merge-help">
            <h2 id="merge-title">"Someone else changed this draft"</h2>
            <p id="merge-help">
                {format!("Version {} of the draft was saved by someone else while you were editing. Nothing was overwritten. For each section that differs, choose whose text to keep, then save.", theirs.with_value(|t| t.version))}
            </p>
            {differences.into_iter().map(|diff| {
                let section = diff.section;
                let name = format!("merge-{}", section.as_str());
                view! {
                    <fieldset class="merge-section">
                        <legend>{section.label()}</legend>
                        <pre class="diff" aria-label=format!("Differences in {}", section.label())>
                            {diff.lines.into_iter().map(|line| match line {
                                DiffLine::Same(t) => view! { <span class="diff-same">{format!("  {t}\n")}</span> }.into_any(),
                                DiffLine::Removed(t) => view! { <span class="diff-removed">{format!("− {t}  (theirs)\n")}</span> }.into_any(),
                                DiffLine::Added(t) => view! { <span class="diff-added">{format!("+ {t}  (yours)\n")}</span> }.into_any(),
                            }).collect_view()}
                        </pre>
                        <label class="checkbox">
                            <input type="radio" name=name.clone() checked=true
                                on:change=move |_| take_theirs.update(|t| t.retain(|s| *s != section))/>
                            " Keep mine"
                        </label>
                        <label class="checkbox">
                            <input type="radio" name=name
                                on:change=move |_| take_theirs.update(|t| if !t.contains(&section) { t.push(section) })/>
                            " Take theirs"
                        </label>
                    </fieldset>
                }
            }).collect_view()}
            <div class="form-actions">
                <button type="button" class="button" on:click=move |_| {
                    let merged = theirs.with_value(|t| merge(&editor.content.get_untracked(), &t.content, &take_theirs.get_untracked()));
                    resolve(merged);
                }>"Save the merged draft"</button>
                <button type="button" class="button secondary" on:click=move |_| {
                    resolve(theirs.with_value(|t| t.content.clone()));
                }>"Discard mine, take theirs"</button>
            </div>
        </div>
    }
}

#[component]
fn SectionHeading(section: Section) -> impl IntoView {
    view! { <h2 id=format!("section-{}", section.as_str())>{section.label()}</h2> }
}

#[component]
fn TextSection(
    editor: Draft,
    section: Section,
    field: &'static str,
    rows: u32,
    hint: &'static str,
) -> impl IntoView {
    let id = format!("plan-{field}");
    let hint_id = format!("{id}-hint");
    let read = move |c: &PlanContent| match section {
        Section::Scope => c.scope.clone(),
        Section::Activation => c.activation.clone(),
        Section::ReturnToNormal => c.return_to_normal.clone(),
        _ => c.related_plans.clone(),
    };
    view! {
        <section class="plan-section" aria-labelledby=format!("section-{}", section.as_str())>
            <SectionHeading section/>
            <label class="visually-hidden" for=id.clone()>{section.label()}</label>
            <textarea id=id rows=rows aria-describedby=hint_id.clone()
                prop:value=move || editor.content.with(read)
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    editor.change(field, |c| match section {
                        Section::Scope => c.scope = text,
                        Section::Activation => c.activation = text,
                        Section::ReturnToNormal => c.return_to_normal = text,
                        _ => c.related_plans = text,
                    });
                }></textarea>
            <p class="hint" id=hint_id>{hint}</p>
        </section>
    }
}

/// A text input bound to one field of one row of a list section.
#[component]
fn RowInput(
    id: String,
    label: String,
    #[prop(into)] value: Signal<String>,
    on_input: impl Fn(String) + 'static,
    #[prop(optional)] placeholder: &'static str,
) -> impl IntoView {
    view! {
        <label class="visually-hidden" for=id.clone()>{label}</label>
        <input id=id placeholder=placeholder prop:value=value on:input=move |ev| on_input(event_target_value(&ev))/>
    }
}

#[component]
fn CallTreeSection(editor: Draft) -> impl IntoView {
    let count = move || editor.content.with(|c| c.call_tree.len());
    let field = move |i: usize, pick: fn(&Contact) -> &String| {
        Signal::derive(move || {
            editor.content.with(|c| {
                c.call_tree
                    .get(i)
                    .map(|x| pick(x).clone())
                    .unwrap_or_default()
            })
        })
    };
    view! {
        <section class="plan-section" aria-labelledby="section-call_tree">
            <SectionHeading section=Section::CallTree/>
            <p class="hint">"In escalation order: who is called first. Printed first on the paper copy."</p>
            {move || (count() == 0).then(|| view! { <p class="empty">"Nobody in the call tree yet."</p> })}
            <ol class="row-list">
                <For each=move || 0..count() key=|i| *i let:i>
                    <li class="row-item call-row">
                        <RowInput id=format!("ct-{i}-role") label=format!("Contact {} role", i + 1) placeholder="Role"
                            value=field(i, |x| &x.role)
                            on_input=move |v| editor.change(&format!("ct{i}r"), |c| if let Some(x) = c.call_tree.get_mut(i) { x.role = v })/>
                        <RowInput id=format!("ct-{i}-person") label=format!("Contact {} person", i + 1) placeholder="Person"
                            value=field(i, |x| &x.person)
                            on_input=move |v| editor.change(&format!("ct{i}p"), |c| if let Some(x) = c.call_tree.get_mut(i) { x.person = v })/>
                        <RowInput id=format!("ct-{i}-deputy") label=format!("Contact {} deputy", i + 1) placeholder="Deputy"
                            value=field(i, |x| &x.deputy)
                            on_input=move |v| editor.change(&format!("ct{i}d"), |c| if let Some(x) = c.call_tree.get_mut(i) { x.deputy = v })/>
                        <RowInput id=format!("ct-{i}-phone") label=format!("Contact {} phone", i + 1) placeholder="Phone"
                            value=field(i, |x| &x.phone)
                            on_input=move |v| editor.change(&format!("ct{i}t"), |c| if let Some(x) = c.call_tree.get_mut(i) { x.phone = v })/>
                        <button type="button" class="button secondary small" aria-label=format!("Move contact {} up", i + 1)
                            disabled=i == 0
                            on:click=move |_| editor.change("", |c| if i > 0 { c.call_tree.swap(i, i - 1) })>"↑"</button>
                        <button type="button" class="button secondary small" aria-label=format!("Remove contact {}", i + 1)
                            on:click=move |_| editor.change("", |c| { if i < c.call_tree.len() { c.call_tree.remove(i); } })>"Remove"</button>
                    </li>
                </For>
            </ol>
            <button type="button" class="button secondary small" on:click=move |_| {
                let next = count();
                editor.change("", |c| c.call_tree.push(Contact { role: String::new(), person: String::new(), deputy: String::new(), phone: String::new() }));
                focus_later(format!("ct-{next}-role"));
            }>"Add contact"</button>
        </section>
    }
}

#[component]
fn ScenarioSection(editor: Draft) -> impl IntoView {
    let count = move || editor.content.with(|c| c.scenarios.len());
    let field = move |i: usize, pick: fn(&Scenario) -> &String| {
        Signal::derive(move || {
            editor.content.with(|c| {
                c.scenarios
                    .get(i)
                    .map(|x| pick(x).clone())
                    .unwrap_or_default()
            })
        })
    };
    view! {
        <section class="plan-section" aria-labelledby="section-scenarios">
            <SectionHeading section=Section::Scenarios/>
            <p class="hint">"Loss of site, of IT, of a supplier, of key staff, a cyber attack… each with its recovery strategy."</p>
            {move || (count() == 0).then(|| view! { <p class="empty">"No scenarios yet."</p> })}
            <ul class="row-list">
                <For each=move || 0..count() key=|i| *i let:i>
                    <li class="row-item scenario-row">
                        <RowInput id=format!("sc-{i}-name") label=format!("Scenario {} name", i + 1) placeholder="Scenario"
                            value=field(i, |x| &x.name)
                            on_input=move |v| editor.change(&format!("sc{i}n"), |c| if let Some(x) = c.scenarios.get_mut(i) { x.name = v })/>
                        <RowInput id=format!("sc-{i}-strategy") label=format!("Scenario {} strategy", i + 1) placeholder="Recovery strategy"
                            value=field(i, |x| &x.strategy)
                            on_input=move |v| editor.change(&format!("sc{i}s"), |c| if let Some(x) = c.scenarios.get_mut(i) { x.strategy = v })/>
                        <button type="button" class="button secondary small" aria-label=format!("Remove scenario {}", i + 1)
                            on:click=move |_| editor.change("", |c| { if i < c.scenarios.len() { c.scenarios.remove(i); } })>"Remove"</button>
                    </li>
                </For>
            </ul>
            <button type="button" class="button secondary small" on:click=move |_| {
                let next = count();
                editor.change("", |c| c.scenarios.push(Scenario { name: String::new(), strategy: String::new() }));
                focus_later(format!("sc-{next}-name"));
            }>"Add scenario"</button>
        </section>
    }
}

#[component]
fn CommunicationSection(editor: Draft) -> impl IntoView {
    let count = move || editor.content.with(|c| c.communications.len());
    let field = move |i: usize, pick: fn(&Communication) -> &String| {
        Signal::derive(move || {
            editor.content.with(|c| {
                c.communications
                    .get(i)
                    .map(|x| pick(x).clone())
                    .unwrap_or_default()
            })
        })
    };
    view! {
        <section class="plan-section" aria-labelledby="section-communications">
            <SectionHeading section=Section::Communications/>
            <p class="hint">"Who is told what, and when."</p>
            {move || (count() == 0).then(|| view! { <p class="empty">"No communications planned yet."</p> })}
            <ul class="row-list">
                <For each=move || 0..count() key=|i| *i let:i>
                    <li class="row-item comms-row">
                        <RowInput id=format!("cm-{i}-audience") label=format!("Message {} audience", i + 1) placeholder="Who"
                            value=field(i, |x| &x.audience)
                            on_input=move |v| editor.change(&format!("cm{i}a"), |c| if let Some(x) = c.communications.get_mut(i) { x.audience = v })/>
                        <RowInput id=format!("cm-{i}-message") label=format!("Message {} content", i + 1) placeholder="What"
                            value=field(i, |x| &x.message)
                            on_input=move |v| editor.change(&format!("cm{i}m"), |c| if let Some(x) = c.communications.get_mut(i) { x.message = v })/>
                        <RowInput id=format!("cm-{i}-when") label=format!("Message {} timing", i + 1) placeholder="When"
                            value=field(i, |x| &x.when)
                            on_input=move |v| editor.change(&format!("cm{i}w"), |c| if let Some(x) = c.communications.get_mut(i) { x.when = v })/>
                        <button type="button" class="button secondary small" aria-label=format!("Remove message {}", i + 1)
                            on:click=move |_| editor.change("", |c| { if i < c.communications.len() { c.communications.remove(i); } })>"Remove"</button>
                    </li>
                </For>
            </ul>
            <button type="button" class="button secondary small" on:click=move |_| {
                let next = count();
                editor.change("", |c| c.communications.push(Communication { audience: String::new(), message: String::new(), when: String::new() }));
                focus_later(format!("cm-{next}-audience"));
            }>"Add message"</button>
        </section>
    }
}

#[component]
fn StepsSection(
    editor: Draft,
    people: StoredValue<Vec<PersonRef>>,
    rtos: Signal<Vec<(String, u32)>>,
) -> impl IntoView {
    // The steps' order, as a memo: rows follow it without each watching the whole plan
    // (thousands of bindings on one signal made a keystroke in a long plan slow).
    let keys = Memo::new(move |_| {
        editor
            .content
            .with(|c| c.steps.iter().map(|s| s.key).collect::<Vec<_>>())
    });
    let add_at_end = move |_| {
        let mut added = 0;
        editor.change("", |c| added = add_step_after(c, None));
        focus_later(format!("step-{added}-title"));
    };
    view! {
        <section class="plan-section" aria-labelledby="section-steps">
            <SectionHeading section=Section::Steps/>
            <p class="hint" id="steps-keys">
                "Steps run in parallel unless one waits for another. In a step's title: Enter adds a step below, Alt+↑/↓ moves it, Alt+→/← indents it, Alt+Delete removes it."
            </p>
            {move || editor.content.with(|c| c.steps.is_empty()).then(|| view! {
                <p class="empty">"No recovery steps yet. Add the first one: what must happen first when the plan is invoked?"</p>
            })}
            <ol class="row-list steps-list">
                <For each=move || keys.get() key=|k| *k let:key>
                    <StepRow editor key keys people/>
                </For>
            </ol>
            <button type="button" class="button secondary small" on:click=add_at_end>"Add step"</button>
            <h3>"Timeline"</h3>
            <PlanTimeline content=editor.content rtos/>
        </section>
    }
}

#[component]
fn StepRow(
    editor: Draft,
    key: u32,
    keys: Memo<Vec<u32>>,
    people: StoredValue<Vec<PersonRef>>,
) -> impl IntoView {
    // A memo: the row's many bindings rerun only when this step changed, not on every
    // keystroke elsewhere in a long plan.
    let step_memo = Memo::new(move |_| {
        editor
            .content
            .with(|c| c.steps.iter().find(|s| s.key == key).cloned())
    });
    let step = move || step_memo.get();
    let position = move || keys.with(|k| k.iter().position(|k| *k == key).unwrap_or(0));
    // What the person typed; the step itself keeps the last value that made sense.
    let duration_text = RwSignal::new(
        step()
            .map(|s| minutes_text(s.duration_minutes))
            .unwrap_or_default(),
    );
    let waits_input = RwSignal::new(step().map(|s| waits_text(&s.waits_for)).unwrap_or_default());
    // Undo and merges change the step underneath the inputs: follow them.
    Effect::new(move |_| {
        if let Some(s) = step() {
            if parse_minutes(&duration_text.get_untracked()) != Some(s.duration_minutes) {
                duration_text.set(minutes_text(s.duration_minutes));
            }
            if parse_waits(&waits_input.get_untracked()).ok().as_ref() != Some(&s.waits_for) {
                waits_input.set(waits_text(&s.waits_for));
            }
        }
    });
    let duration_error = move || {
        duration_text.with(|t| {
            parse_minutes(t)
                .is_none()
                .then_some("Write a duration such as 45 min, 2 h or 1 d 4 h.")
        })
    };
    let waits_error = move || {
        let parsed = waits_input.with(|t| parse_waits(t));
        match parsed {
            Err(why) => Some(why),
            Ok(wanted) => {
                let missing: Vec<String> = keys.with(|known| {
                    wanted
                        .iter()
                        .filter(|k| **k == key || !known.contains(k))
                        .map(|k| format!("#{k}"))
                        .collect()
                });
                (!missing.is_empty())
                    .then(|| format!("No other step is numbered {}.", missing.join(", ")))
            }
        }
    };
    let title_error = move || {
        step()
            .is_some_and(|s| s.title.trim().is_empty())
            .then_some("Give the step a title.")
    };
    let ids = move |part: &str| format!("step-{key}-{part}");
    let structural =
        move |edit: fn(&mut crate::model::continuity_plan::PlanContent, u32) -> bool| {
            editor.change("", |c| {
                edit(c, key);
            });
            focus_later(format!("step-{key}-title"));
        };
    let on_title_key = move |ev: leptos::ev::KeyboardEvent| {
        let key_name = ev.key();
        if key_name == "Enter" {
            ev.prevent_default();
            let mut added = 0;
            editor.change("", |c| added = add_step_after(c, Some(key)));
            focus_later(format!("step-{added}-title"));
        } else if ev.alt_key() {
            let handled = match key_name.as_str() {
                "ArrowUp" => {
                    structural(|c, k| move_step(c, k, -1));
                    true
                }
                "ArrowDown" => {
                    structural(|c, k| move_step(c, k, 1));
                    true
                }
                "ArrowRight" => {
                    structural(|c, k| indent_step(c, k, 1));
                    true
                }
                "ArrowLeft" => {
                    structural(|c, k| indent_step(c, k, -1));
                    true
                }
                "Delete" | "Backspace" => {
                    let mut next = None;
                    editor.change("", |c| next = remove_step(c, key));
                    if let Some(next) = next {
                        focus_later(format!("step-{next}-title"));
                    }
                    true
                }
                _ => false,
            };
            if handled {
                ev.prevent_default();
            }
        }
    };
    let depth = move || step().map(|s| s.depth).unwrap_or(0);
    view! {
        <li class=move || format!("row-item step-row {}", step_depth_class(depth())) data-step=key>
            <span class="step-number" aria-hidden="true">{move || format!("{}.", position() + 1)}</span>
            <span class="step-key" title="The step's number, used in “waits for”">{format!("#{key}")}</span>
            <div class="step-fields">
                <div class="step-title">
                    <label class="visually-hidden" for=ids("title")>{format!("Step #{key} title")}</label>
                    <input id=ids("title") placeholder="What is done" aria-describedby="steps-keys"
                        aria-invalid=move || title_error().is_some().to_string()
                        prop:value=move || step().map(|s| s.title).unwrap_or_default()
                        on:input=move |ev| {
                            let text = event_target_value(&ev);
                            editor.change(&format!("s{key}t"), |c| if let Some(s) = c.steps.iter_mut().find(|s| s.key == key) { s.title = text });
                        }
                        on:keydown=on_title_key/>
                    <p class="field-error" aria-live="polite">{title_error}</p>
                </div>
                <div>
                    <label class="small-label" for=ids("owner")>"Owner"</label>
                    <select id=ids("owner")
                        on:change=move |ev| {
                            let owner = event_target_value(&ev).parse::<i64>().ok();
                            editor.change("", |c| if let Some(s) = c.steps.iter_mut().find(|s| s.key == key) { s.owner_id = owner });
                        }>
                        <option value="" selected=move || step().is_some_and(|s| s.owner_id.is_none())>"— no owner —"</option>
                        {people.with_value(|people| people.iter().map(|p| {
                            let id = p.id;
                            view! { <option value=id selected=move || step().is_some_and(|s| s.owner_id == Some(id))>{p.name.clone()}</option> }
                        }).collect_view())}
                    </select>
                </div>
                <div>
                    <label class="small-label" for=ids("duration")>"Takes"</label>
                    <input id=ids("duration") class="short-input" prop:value=duration_text
                        aria-invalid=move || duration_error().is_some().to_string()
                        on:input=move |ev| {
                            let text = event_target_value(&ev);
                            if let Some(minutes) = parse_minutes(&text) {
                                editor.change(&format!("s{key}d"), |c| if let Some(s) = c.steps.iter_mut().find(|s| s.key == key) { s.duration_minutes = minutes });
                            }
                            duration_text.set(text);
                        }/>
                    <p class="field-error" aria-live="polite">{duration_error}</p>
                </div>
                <div>
                    <label class="small-label" for=ids("waits")>"Waits for"</label>
                    <input id=ids("waits") class="short-input" placeholder="e.g. 1, 2" prop:value=waits_input
                        aria-invalid=move || waits_error().is_some().to_string()
                        on:input=move |ev| {
                            let text = event_target_value(&ev);
                            if let Ok(keys) = parse_waits(&text) {
                                editor.change(&format!("s{key}w"), |c| if let Some(s) = c.steps.iter_mut().find(|s| s.key == key) { s.waits_for = keys });
                            }
                            waits_input.set(text);
                        }/>
                    <p class="field-error" aria-live="polite">{waits_error}</p>
                </div>
            </div>
            <div class="step-buttons">
                <button type="button" class="button secondary small" aria-label=format!("Move step #{key} up") on:click=move |_| structural(|c, k| move_step(c, k, -1))>"↑"</button>
                <button type="button" class="button secondary small" aria-label=format!("Move step #{key} down") on:click=move |_| structural(|c, k| move_step(c, k, 1))>"↓"</button>
                <button type="button" class="button secondary small" aria-label=format!("Indent step #{key}") on:click=move |_| structural(|c, k| indent_step(c, k, 1))>"→"</button>
                <button type="button" class="button secondary small" aria-label=format!("Outdent step #{key}") on:click=move |_| structural(|c, k| indent_step(c, k, -1))>"←"</button>
                <button type="button" class="button secondary small" aria-label=format!("Remove step #{key}")
                    on:click=move |_| { editor.change("", |c| { remove_step(c, key); }); }>"✕"</button>
            </div>
        </li>
    }
}
