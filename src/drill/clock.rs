//! The simulation clock a drill (or a replay) runs on: simulated time in ms since the Unix epoch,
//! play / pause, speed 1×–1000×. It never reads the wall clock: the caller (console frame loop,
//! headless runner) passes the real time that elapsed, so the clock is pure and testable. Must
//! not import egui, tokio or rusqlite.

use std::time::Duration;

/// Slowest playback speed.
pub const MIN_SPEED: f64 = 1.0;
/// Fastest playback speed.
pub const MAX_SPEED: f64 = 1000.0;

/// Simulated time with play / pause and a speed factor.
#[derive(Debug, Clone, PartialEq)]
pub struct SimClock {
    now_ms: i64,
    /// Sub-millisecond remainder carried between advances, so many small steps add up exactly.
    frac_ms: f64,
    speed: f64,
    playing: bool,
}

impl SimClock {
    /// A paused clock at `start_ms`, speed 1×.
    pub fn new(start_ms: i64) -> SimClock {
        SimClock {
            now_ms: start_ms,
            frac_ms: 0.0,
            speed: MIN_SPEED,
            playing: false,
        }
    }

    /// Simulated now, ms since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    /// Start or resume.
    pub fn play(&mut self) {
        self.playing = true;
    }

    /// Pause (time stands still).
    pub fn pause(&mut self) {
        self.playing = false;
    }

    /// Play ⇄ pause; returns whether it now plays.
    pub fn toggle(&mut self) -> bool {
        self.playing = !self.playing;
        self.playing
    }

    /// Whether it is running.
    pub fn is_playing(&self) -> bool {
        self.playing
    }

    /// Current speed factor.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Sets the speed, clamped to [`MIN_SPEED`]–[`MAX_SPEED`] (NaN keeps the old one); returns it.
    pub fn set_speed(&mut self, speed: f64) -> f64 {
        if !speed.is_nan() {
            self.speed = speed.clamp(MIN_SPEED, MAX_SPEED);
        }
        self.speed
    }

    /// Jumps to a simulated time (the scrubber, or the next event when skipping idle time).
    pub fn seek(&mut self, ms: i64) {
        self.now_ms = ms;
        self.frac_ms = 0.0;
    }

    /// Advances by `dt_real` of real time × speed when playing; returns the simulated now.
    pub fn advance(&mut self, dt_real: Duration) -> i64 {
        if self.playing {
            let total = dt_real.as_secs_f64() * 1000.0 * self.speed + self.frac_ms;
            let whole = total.floor();
            self.frac_ms = total - whole;
            self.now_ms = self.now_ms.saturating_add(whole as i64);
        }
        self.now_ms
    }

    /// Real time needed to advance by `sim_ms` at the current speed.
    pub fn real_for(&self, sim_ms: i64) -> Duration {
        Duration::from_secs_f64((sim_ms.max(0) as f64 / 1000.0) / self.speed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paused_clock_stands_still() {
        let mut c = SimClock::new(1000);
        assert_eq!(c.advance(Duration::from_secs(5)), 1000);
        c.play();
        assert_eq!(c.advance(Duration::from_secs(5)), 6000);
        c.pause();
        assert_eq!(c.advance(Duration::from_secs(5)), 6000);
        assert!(c.toggle());
    }

    #[test]
    fn speed_is_clamped_and_scales_time() {
        let mut c = SimClock::new(0);
        c.play();
        assert_eq!(c.set_speed(5000.0), MAX_SPEED);
        assert_eq!(c.set_speed(0.1), MIN_SPEED);
        assert_eq!(c.set_speed(f64::NAN), MIN_SPEED);
        c.set_speed(1000.0);
        assert_eq!(c.advance(Duration::from_millis(16)), 16_000);
        c.set_speed(60.0);
        assert_eq!(c.real_for(60_000), Duration::from_secs(1));
    }

    #[test]
    fn small_steps_accumulate_exactly() {
        let mut c = SimClock::new(0);
        c.play();
        c.set_speed(1.5);
        for _ in 0..1000 {
            c.advance(Duration::from_micros(333));
        }
        // 1000 × 0.333 ms × 1.5 = 499.5 ms.
        assert_eq!(c.now_ms(), 499);
        c.seek(10);
        assert_eq!(c.now_ms(), 10);
    }
}
