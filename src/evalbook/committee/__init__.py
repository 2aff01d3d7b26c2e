"""What the committee weighs before it signs: how stable each award is under the rubric's other readings
(``sensitivity``), how the expert panels scored (``panels``: spread, bias, recusal, leave-one-expert-out),
how units moved against last year (``trends``), and the year's tables they add (``tables``)."""
