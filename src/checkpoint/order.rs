//! How many entries arrived out of order: those outside a longest run of
//! entries that arrived in stream order.

/// The length of a longest strictly increasing subsequence of `arrivals`
/// (patience sorting, O(n log n)).
pub(crate) fn longest_in_order(arrivals: &[u64]) -> usize {
    let mut tails: Vec<u64> = Vec::with_capacity(arrivals.len());
    for &arrival in arrivals {
        let at = tails.partition_point(|&tail| tail < arrival);
        match tails.get_mut(at) {
            Some(tail) => *tail = arrival,
            None => tails.push(arrival),
        }
    }
    tails.len()
}

/// How many of `arrivals` (one arrival index per entry, in stream order)
/// must move to put them in stream order.
pub(crate) fn out_of_order(arrivals: &[u64]) -> usize {
    arrivals.len().saturating_sub(longest_in_order(arrivals))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_needed() {
        assert_eq!(out_of_order(&[]), 0);
        assert_eq!(out_of_order(&[0, 1, 2, 3]), 0);
        assert_eq!(out_of_order(&[1, 0, 2, 3]), 1, "adjacent swap: one entry moves");
        assert_eq!(out_of_order(&[0, 4, 2, 3, 1, 5]), 2, "distant swap: two entries move");
        assert_eq!(out_of_order(&[5, 0, 1, 2, 3, 4]), 1, "one entry late");
        assert_eq!(out_of_order(&[3, 2, 1, 0]), 3);
    }
}
