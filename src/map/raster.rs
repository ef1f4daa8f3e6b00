//! Optional raster tiles under the vector basemap (off by default): a walkers `Tiles` source fed
//! by the background [`TileFetcher`](crate::backend::tiles::TileFetcher). Missing tiles are drawn
//! from a cached ancestor until they arrive; failed ones are retried after a pause, never in a
//! tight loop, and the reason is shown in the status bar.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use egui::{Rect, pos2};
use walkers::sources::Attribution;
use walkers::{Tile, TileId, TilePiece, Tiles};

use crate::backend::tiles::{TileFetcher, TileStatus};

/// Textures kept in memory.
const MAX_TILES: usize = 512;
/// How long a failed tile rests before it is asked for again.
const RETRY_AFTER: Duration = Duration::from_secs(60);

enum Slot {
    Pending,
    Ready(Tile),
    Failed(Instant),
}

/// Raster tiles from a URL template.
pub struct RasterTiles {
    fetcher: TileFetcher,
    slots: HashMap<TileId, Slot>,
    order: VecDeque<TileId>,
    /// Highest zoom the source serves.
    pub max_zoom: u8,
}

impl RasterTiles {
    /// Wrap a running fetcher.
    pub fn new(fetcher: TileFetcher) -> RasterTiles {
        RasterTiles {
            fetcher,
            slots: HashMap::new(),
            order: VecDeque::new(),
            max_zoom: 19,
        }
    }

    /// Counters and last error of the fetcher.
    pub fn status(&self) -> TileStatus {
        self.fetcher.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn drain(&mut self) {
        while let Ok((id, result)) = self.fetcher.rx.try_recv() {
            let slot = match result {
                Ok(tile) => Slot::Ready(tile),
                Err(_) => Slot::Failed(Instant::now()),
            };
            if self.slots.insert(id, slot).is_none() {
                self.order.push_back(id);
            }
        }
        while self.order.len() > MAX_TILES {
            if let Some(old) = self.order.pop_front() {
                self.slots.remove(&old);
            }
        }
    }

    fn ready(&self, id: &TileId) -> Option<&Tile> {
        match self.slots.get(id) {
            Some(Slot::Ready(t)) => Some(t),
            _ => None,
        }
    }
}

impl Tiles for RasterTiles {
    fn at(&mut self, tile_id: TileId) -> Option<TilePiece> {
        self.drain();
        if tile_id.zoom > self.max_zoom {
            return None;
        }
        if let Some(t) = self.ready(&tile_id) {
            return Some(TilePiece::new(
                t.clone(),
                Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0)),
            ));
        }
        let ask = match self.slots.get(&tile_id) {
            None => true,
            Some(Slot::Failed(at)) => at.elapsed() > RETRY_AFTER,
            _ => false,
        };
        if ask && self.fetcher.request(tile_id) && self.slots.insert(tile_id, Slot::Pending).is_none() {
            self.order.push_back(tile_id);
        }
        // Meanwhile, magnify the nearest cached ancestor.
        for k in 1..=tile_id.zoom.min(6) {
            let parent = TileId {
                x: tile_id.x >> k,
                y: tile_id.y >> k,
                zoom: tile_id.zoom - k,
            };
            if let Some(t) = self.ready(&parent) {
                let n = (1u32 << k) as f32;
                let (dx, dy) = (
                    (tile_id.x - (parent.x << k)) as f32,
                    (tile_id.y - (parent.y << k)) as f32,
                );
                let uv = Rect::from_min_max(pos2(dx / n, dy / n), pos2((dx + 1.0) / n, (dy + 1.0) / n));
                return Some(TilePiece::new(t.clone(), uv));
            }
        }
        None
    }

    fn attribution(&self) -> Attribution {
        Attribution {
            text: "",
            url: "",
            logo_light: None,
            logo_dark: None,
        }
    }

    fn tile_size(&self) -> u32 {
        256
    }
}
