//! What a panel asks of the console beyond the parts it was handed: fly the camera, select an
//! entity, open a replay, (re)start the raster basemap, clear the route, send a store intent.
//! Panels return these; `OneMapApp::apply` carries them out after drawing. Plain values: imports
//! no panel and no worker.

use std::path::PathBuf;

use crate::backend::store::Intent;
use crate::geom::BBox;
use crate::map::ops::OpsRef;
use crate::search::Target;

/// One thing a panel wants done that touches parts it does not own.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Fly the map to fit a lon/lat box.
    FlyToBBox(BBox),
    /// Fly the map to a search target (and highlight a point).
    FlyToTarget(Target),
    /// Select an entity and centre the map on it.
    Select(OpsRef),
    /// Open the incident board on a new incident and select it (acknowledges its arrival).
    OpenArrival(crate::model::ids::IncidentId),
    /// Open the new-incident form.
    NewIncident,
    /// Open the database file in a replay.
    StartReplay(PathBuf),
    /// Start the raster basemap from the settings just chosen.
    StartRaster,
    /// Forget the route, the isochrone and the picked start.
    ClearRouting,
    /// Send an intent to the store worker (the one writer of the mode).
    Send(Intent),
    /// Open the commander's wall on a second monitor, or close it.
    ToggleWall,
    /// Ask the routing worker for a dispatch suggestion for this incident.
    Recommend(crate::model::ids::IncidentId),
    /// Dispatch the ticked units of the suggestion shown (全部派遣 / 派遣所选).
    DispatchSuggestion,
    /// Accept the reassignment offer (改派): release and re-dispatch in one batch.
    Reassign,
    /// Dispatch these units (a unit's 派往事件).
    Dispatch(crate::dispatch::DispatchRequest),
    /// Move a unit to a status (refused with a notice when its state does not allow it).
    SetUnitStatus(crate::model::ids::UnitId, crate::model::unit::UnitStatus),
    /// Send an incident correction; its text is cleared when the store confirms it.
    Correct(Correction, Intent),
    /// Open the alerts board on an alert or earthquake, select it and fly the map to it.
    ShowAlert(AlertRef),
    /// Open the warning compose dialog: a new warning, or an update / cancel of an issued one.
    ComposeWarning {
        /// Key text of the issued warning updated or cancelled.
        replaces: Option<String>,
        /// New, update or cancel.
        msg_type: crate::alerts::writer::MsgType,
    },
    /// Issue the composed warning (draft, the warning it replaces, the CAP file).
    IssueWarning(Box<(crate::alerts::issue::WarningDraft, Option<String>, PathBuf)>),
    /// A step of drawing the warning area on the map (compose dialog).
    DrawArea(DrawStep),
    /// Open the new-incident form prefilled from the draft of the rule firing at this seq (批准).
    ApproveDraft(u64),
    /// Select an entity without moving the map (a click on its marker).
    Pick(OpsRef),
    /// Start the next route here.
    RouteFrom([f64; 2]),
    /// Finish a route here.
    RouteTo([f64; 2]),
    /// Compute the isochrone from here.
    Isochrone([f64; 2]),
    /// Open the new-incident form with this location.
    NewIncidentAt([f64; 2]),
    /// Show the coverage board and ask for the nearest supplies at the point last right-clicked.
    SuppliesHere,
    /// Ask for the nearest supplies of the typed item.
    RequestSupplies,
    /// Ask for a siting proposal for the force type shown.
    RequestSiting,
    /// Record the new-incident form (`real`: a genuine call during a drill).
    SubmitIncident {
        /// Goes to the real situation although a drill runs.
        real: bool,
    },
    /// Load the pack's demo scenario into the new database.
    LoadDemo,
    /// Start the chosen drill scenario.
    StartDrill,
    /// End the running drill (its report is written).
    EndDrill,
    /// Show the real operations (`None`) or one drill of the replayed file.
    ReplayScope(Option<String>),
    /// Leave the replay and reopen the file live.
    ExitReplay,
    /// Write a training copy of the master data to this file (`None`: a new file next to the
    /// database).
    TrainingCopy(Option<PathBuf>),
    /// Open a second console on this database file (a training copy).
    OpenConsoleOn(PathBuf),
}

/// An alert or earthquake of the situation, as the alerts board selects it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum AlertRef {
    /// A CAP alert by its key text (`sender,identifier,sent`).
    Alert(String),
    /// An earthquake by its primary id.
    Quake(String),
}

impl AlertRef {
    /// The key under which a banner acknowledgement is remembered.
    pub fn ack_key(&self) -> String {
        match self {
            AlertRef::Alert(k) => k.clone(),
            AlertRef::Quake(id) => format!("quake:{id}"),
        }
    }
}

/// Which correction of an incident is awaiting the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Correction {
    /// A note.
    Note,
    /// A cancellation.
    Cancel,
    /// Closing.
    Close,
    /// A new location.
    Relocate,
}

/// One step of drawing the warning area on the map.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DrawStep {
    /// Start drawing (a polygon drawn before stays until the new one closes).
    Start,
    /// A click on the map, `[lon, lat]`.
    Add([f64; 2]),
    /// Backspace: remove the last vertex.
    Undo,
    /// Enter or double-click: close the ring (refused with the reason if it is no area).
    Close,
    /// Esc: stop drawing, keeping the polygon there was before.
    Cancel,
    /// Forget the drawn polygon.
    Clear,
}
