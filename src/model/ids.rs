//! Typed numeric ids for every entity of the situation (newtypes over `u32`). Pure; must not
//! import rusqlite, egui, tokio or `crate::store`.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $prefix:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            /// The following id (saturating at `u32::MAX`).
            pub fn next(self) -> Self {
                $name(self.0.saturating_add(1))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!($prefix, "#{}"), self.0)
            }
        }
    };
}

id_type!(
    /// Id of an incident (警情/事件).
    IncidentId,
    "incident"
);
id_type!(
    /// Id of a response unit (vehicle or team).
    UnitId,
    "unit"
);
id_type!(
    /// Id of a station (fire station, hospital, depot …).
    StationId,
    "station"
);
id_type!(
    /// Id of a material warehouse.
    WarehouseId,
    "warehouse"
);
id_type!(
    /// Id of an emergency shelter.
    ShelterId,
    "shelter"
);
