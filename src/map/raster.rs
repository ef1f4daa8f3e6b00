//! Optional raster tiles under the vector basemap (off by default): a walkers `Tiles` source fed
//! by the background [`TileFetcher`](crate::backend::tiles::TileFetcher). Missing tiles are drawn
//! from a cached ancestor until they arrive; failed ones are retried after a pause, never in a
//! tight loop, and the reason is shown in the status bar.

use std::collections::{HashMap, VecDeque};
use std::ops::RangeInclusive;
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
    /// The source has no such tile (outside its coverage).
    Empty,
    Ready(Tile),
    Failed(Instant),
}

/// Raster tiles from a URL template or a PMTiles archive.
pub struct RasterTiles {
    fetcher: TileFetcher,
    slots: HashMap<TileId, Slot>,
    order: VecDeque<TileId>,
    /// Highest zoom the source serves; deeper zooms magnify its tiles.
    pub max_zoom: u8,
}

impl RasterTiles {
    /// Wrap a running fetcher.
    pub fn new(fetcher: TileFetcher) -> RasterTiles {
        let max_zoom = fetcher.max_zoom;
        RasterTiles {
            fetcher,
            slots: HashMap::new(),
            order: VecDeque::new(),
            max_zoom,
        }
    }

    /// Counters and last error of the fetcher.
    pub fn status(&self) -> TileStatus {
        self.fetcher.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn drain(&mut self) {
        while let Ok((id, result)) = self.fetcher.rx.try_recv() {
            let slot = match result {
                Ok(Some(tile)) => Slot::Ready(tile),
                Ok(None) => Slot::Empty,
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

    /// Ask for a tile unless it is pending, present, known empty, or failed recently.
    fn ensure_requested(&mut self, id: TileId) {
        let ask = match self.slots.get(&id) {
            None => true,
            Some(Slot::Failed(at)) => at.elapsed() > RETRY_AFTER,
            _ => false,
        };
        if ask && self.fetcher.request(id) && self.slots.insert(id, Slot::Pending).is_none() {
            self.order.push_back(id);
        }
    }

    /// The part of the first cached ancestor `k` levels up (k in `levels`) that covers `id`.
    fn ancestor_piece(&self, id: TileId, levels: RangeInclusive<u8>) -> Option<TilePiece> {
        for k in levels {
            if k > id.zoom || k > 31 {
                break;
            }
            let parent = TileId {
                x: id.x >> k,
                y: id.y >> k,
                zoom: id.zoom - k,
            };
            if let Some(t) = self.ready(&parent) {
                let n = (1u32 << k) as f32;
                let (dx, dy) = ((id.x - (parent.x << k)) as f32, (id.y - (parent.y << k)) as f32);
                let uv = Rect::from_min_max(pos2(dx / n, dy / n), pos2((dx + 1.0) / n, (dy + 1.0) / n));
                return Some(TilePiece::new(t.clone(), uv));
            }
        }
        None
    }
}

impl Tiles for RasterTiles {
    fn at(&mut self, tile_id: TileId) -> Option<TilePiece> {
        self.drain();
        if tile_id.zoom > self.max_zoom {
            // Past the source's deepest zoom: magnify its deepest tiles.
            let k = tile_id.zoom - self.max_zoom;
            self.ensure_requested(TileId {
                x: tile_id.x >> k,
                y: tile_id.y >> k,
                zoom: self.max_zoom,
            });
            return self.ancestor_piece(tile_id, k..=k);
        }
        if let Some(t) = self.ready(&tile_id) {
            return Some(TilePiece::new(
                t.clone(),
                Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0)),
            ));
        }
        self.ensure_requested(tile_id);
        // Meanwhile, magnify the nearest cached ancestor.
        self.ancestor_piece(tile_id, 1..=tile_id.zoom.min(6))
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
