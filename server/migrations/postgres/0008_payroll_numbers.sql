-- The number finance pays a person against when no CPR number is used (an
-- employee or volunteer number the office keeps). Kept when a paid person is
-- anonymised, since the bookkeeping needs it; gone when they are erased.
CREATE TABLE volunteer_payroll_numbers (
    volunteer_id BIGINT PRIMARY KEY REFERENCES volunteers (id) ON DELETE CASCADE,
    number TEXT NOT NULL CHECK (length(number) BETWEEN 1 AND 32),
    updated_at BIGINT NOT NULL
);
