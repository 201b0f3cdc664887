//! Great-circle distance and the distance-based RTT estimate of SPEC §1 (Link).

/// Mean Earth radius in km.
pub const EARTH_RADIUS_KM: f64 = 6_371.0;
/// Speed of light in fibre, km/s (about 2/3 c).
pub const FIBRE_KM_PER_S: f64 = 200_000.0;

/// The longest great-circle distance, half the Earth's circumference, in km.
pub const HALF_CIRCUMFERENCE_KM: f64 = std::f64::consts::PI * EARTH_RADIUS_KM;

/// Great-circle distance in km between two (lat, lon) points in degrees (haversine).
pub fn great_circle_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

/// `rtt = 2 * d / (200 000 km/s) * inflation + base`, in ms.
pub fn estimated_rtt_ms(km: f64, inflation: f64, base_ms: f64) -> f64 {
    2.0 * km / FIBRE_KM_PER_S * 1000.0 * inflation + base_ms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_distances() {
        // Tokyo – Ashburn is about 10 900 km.
        let d = great_circle_km(35.68, 139.69, 39.05, -77.49);
        assert!((d - 10_900.0).abs() < 150.0, "{d}");
        assert_eq!(great_circle_km(10.0, 20.0, 10.0, 20.0), 0.0);
        // 1 000 km at inflation 1 is 10 ms of RTT.
        assert!((estimated_rtt_ms(1000.0, 1.0, 0.0) - 10.0).abs() < 1e-9);
    }
}
